import { and, eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
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
 * The live record of (user, key), if any. A record older than 24 h is deleted in the same
 * statement, so the run start's key insert (claimRun) never meets an expired one.
 */
export async function findKey({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { key: string };
}): Promise<KeyRecord | null> {
  const userId = ctx.user.id;
  const { key } = input;
  const { rows } = await ctx.db.execute<{ request_hash: string; app_id: string; run_id: string }>(sql`
    with expired as (
      delete from idempotency_keys
      where user_id = ${userId} and key = ${key} and created_at <= ${TTL_SQL}
    )
    select request_hash, app_id, run_id from idempotency_keys
    where user_id = ${userId} and key = ${key} and created_at > ${TTL_SQL}`);
  const row = rows[0];
  return row ? { requestHash: row.request_hash, appId: row.app_id, runId: row.run_id } : null;
}

/** Frees a key whose run never started (its start failed after the key was written). */
export async function releaseKey({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { key: string; runId: string };
}): Promise<void> {
  const userId = ctx.user.id;
  const { key, runId } = input;
  await ctx.db
    .delete(idempotencyKeys)
    .where(
      and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.runId, runId)),
    );
}
