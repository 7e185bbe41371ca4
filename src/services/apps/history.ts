import { and, asc, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { appPrompts, apps } from "../../db/schema";
import { AppError } from "../../errors";
import { ownedLiveApp } from "./get-owned-app";
import { type HistoryEntryWire, toHistoryEntry } from "./wire";

export interface HistoryPage {
  entries: HistoryEntryWire[];
  /** The cursor (`before`) of the previous, older page; null when this page reaches the start. */
  nextBefore: string | null;
}

/**
 * The newest `limit` history entries before the `before` entry (by `seq`), oldest first. One
 * statement: the ownership check, the cursor lookup and the page come back together, so a
 * missing or foreign app (404) and an unknown cursor (400) are told apart without a second query.
 */
export async function getHistory({
  ctx,
  input: opts,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string; limit: number; before?: string };
}): Promise<HistoryPage> {
  const { db } = ctx;
  const ownerId = ctx.user.id;
  const { appId } = opts;
  const cursor: SQL | null = opts.before
    ? sql`(select ${appPrompts.seq} from ${appPrompts} where ${appPrompts.id} = ${opts.before} and ${appPrompts.appId} = ${appId})`
    : null;
  const page = db
    .select({
      id: appPrompts.id,
      appId: appPrompts.appId,
      seq: appPrompts.seq,
      prompt: appPrompts.prompt,
      kind: appPrompts.kind,
      messageKind: appPrompts.messageKind,
      metadata: appPrompts.metadata,
      traceId: appPrompts.traceId,
      createdAt: appPrompts.createdAt,
    })
    .from(appPrompts)
    .where(and(eq(appPrompts.appId, apps.id), cursor ? lt(appPrompts.seq, cursor) : undefined))
    .orderBy(desc(appPrompts.seq))
    .limit(opts.limit + 1)
    .as("page");
  const rows = await db
    .select({
      found: apps.id,
      cursorSeq: cursor ? sql<number | null>`${cursor}` : sql<null>`null`,
      entry: {
        id: page.id,
        appId: page.appId,
        prompt: page.prompt,
        kind: page.kind,
        messageKind: page.messageKind,
        metadata: page.metadata,
        traceId: page.traceId,
        createdAt: page.createdAt,
      },
    })
    .from(apps)
    .leftJoinLateral(page, sql`true`)
    .where(ownedLiveApp(appId, ownerId))
    .orderBy(asc(page.seq));
  if (rows.length === 0) throw new AppError("not_found", "No such app");
  if (opts.before && rows[0]?.cursorSeq == null) {
    throw new AppError("validation_failed", "The request is invalid", {
      errors: [{ path: "before", message: "No history entry of this app has this id" }],
    });
  }
  const entries = rows.flatMap((r) => (r.entry ? [r.entry] : []));
  const more = entries.length > opts.limit;
  const kept = more ? entries.slice(1) : entries;
  return {
    entries: kept.map(toHistoryEntry),
    nextBefore: more && kept[0] ? kept[0].id : null,
  };
}
