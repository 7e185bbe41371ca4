import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";

const TTL_SQL = sql`now() - interval '24 hours'`;

export interface KeyRecord {
  requestHash: string;
  appId: string;
  runId: string;
}

export async function requestHash(body: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Claims (user, key) for a new run. Returns null when the claim is ours, else the record of the
 * run that owns the key. A record older than 24 h is replaced.
 */
export async function claimKey(
  db: Db,
  userId: string,
  key: string,
  rec: KeyRecord,
): Promise<KeyRecord | null> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.key, key),
        lte(idempotencyKeys.createdAt, TTL_SQL),
      ),
    );
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ userId, key, ...rec })
    .onConflictDoNothing()
    .returning({ runId: idempotencyKeys.runId });
  if (inserted.length) return null;
  return findKey(db, userId, key);
}

export async function findKey(db: Db, userId: string, key: string): Promise<KeyRecord | null> {
  const [row] = await db
    .select({
      requestHash: idempotencyKeys.requestHash,
      appId: idempotencyKeys.appId,
      runId: idempotencyKeys.runId,
    })
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.key, key),
        gt(idempotencyKeys.createdAt, TTL_SQL),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Frees a claim whose request was refused before its run started. */
export async function releaseKey(db: Db, userId: string, key: string, runId: string): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.runId, runId)),
    );
}
