import { eq, sql } from "drizzle-orm";
import type { Config } from "../config";
import { type Db, withDb } from "../db/client";
import { apps } from "../db/schema";
import type { Logger as FullLogger } from "../logger";
import { isDataError, pgJson, pgText, pgTextOrNull } from "./pg-text";
import type { SessionStorage, StoredEvent } from "./storage";

/** A history row as written to `app_prompts`. */
export interface HistoryRow {
  prompt: string;
  kind: "user" | "assistant";
  messageKind: string;
  metadata: unknown;
  traceId: string | null;
  runId: string | null;
  createdAt: string;
}

/** What the `apps` row should say about the session; applied with the next flush. */
export interface AppMirror {
  runStatus?: "idle" | "running";
  lastRunAt?: string;
  snapshotVersion?: number;
  appName?: string;
}

const BATCH_EVENTS = 500;
const INSERT_ROWS = 200;
const MIRROR_KEY = "pending_mirror";

export function queueMirror(storage: SessionStorage, patch: AppMirror): void {
  const current = JSON.parse(storage.getMeta(MIRROR_KEY) || "{}") as AppMirror;
  storage.setMeta(MIRROR_KEY, JSON.stringify({ ...current, ...patch }));
}

/**
 * The history rows of a logged event: one per `messages[]` entry of a forwarded agent or
 * platform message, one RuntimeError row per `error` event; `done` and the rest make none.
 */
export function historyRowsOf(e: StoredEvent): HistoryRow[] {
  if (e.event !== "message" && e.event !== "error") return [];
  const d = JSON.parse(e.data) as {
    traceId?: string;
    createdAt?: string;
    code?: string;
    message: string | { kind: string; messages?: { content: string }[] };
    metadata?: unknown;
  };
  const base = { kind: "assistant" as const, traceId: d.traceId ?? null, runId: e.runId };
  if (e.event === "error" || typeof d.message === "string") {
    const text = typeof d.message === "string" ? d.message : "";
    const createdAt = new Date().toISOString();
    return [{ ...base, prompt: text, messageKind: "RuntimeError", metadata: { code: d.code }, createdAt }];
  }
  const { kind, messages } = d.message;
  const createdAt = d.createdAt ?? new Date().toISOString();
  return (messages ?? []).map((m) => ({
    ...base,
    prompt: String(m.content ?? ""),
    messageKind: kind,
    metadata: d.metadata ?? null,
    createdAt,
  }));
}

type Logger = Pick<FullLogger, "error">;

/**
 * One `app_prompts` insert; its values carry U+FFFD where Postgres cannot hold the agent's text.
 * The rows travel as one JSON parameter expanded by `jsonb_to_recordset`: a fixed statement with
 * two parameters, however many rows, which is far cheaper to build on the relay path than one
 * parameter per column per row (ids are made by Postgres).
 */
function insertRows(db: Db, appId: string, firstSeq: number, rows: HistoryRow[]) {
  const json = JSON.stringify(
    rows.map((r, j) => ({
      seq: firstSeq + j,
      prompt: pgText(r.prompt),
      kind: r.kind,
      message_kind: pgText(r.messageKind),
      metadata: pgJson(r.metadata ?? null),
      trace_id: pgTextOrNull(r.traceId),
      run_id: r.runId,
      created_at: r.createdAt,
    })),
  );
  return db.execute(sql`
    insert into app_prompts
      (id, app_id, seq, prompt, kind, message_kind, metadata, trace_id, run_id, created_at)
    select gen_random_uuid(), ${appId}::uuid, x.seq, x.prompt, x.kind, x.message_kind,
      nullif(x.metadata, 'null'::jsonb), x.trace_id, x.run_id, x.created_at
    from jsonb_to_recordset(${json}::jsonb) as x(seq int, prompt text, kind text, message_kind text,
      metadata jsonb, trace_id text, run_id text, created_at timestamptz)
    on conflict (app_id, seq) do nothing`);
}

/**
 * Writes rows numbered from `firstSeq`. A batch Postgres refuses for what it holds is tried row by
 * row, and a row it still refuses is set aside (logged with the app id and its seq): it can never
 * be written, and the history after it must not wait for it. Other failures are thrown (retried).
 */
async function writeRows(db: Db, appId: string, firstSeq: number, rows: HistoryRow[], log: Logger) {
  try {
    await insertRows(db, appId, firstSeq, rows);
    return;
  } catch (err) {
    if (!isDataError(err)) throw err;
    log.error("history batch refused by Postgres; writing it row by row", {
      err,
      appId,
      seqFrom: firstSeq,
      seqTo: firstSeq + rows.length - 1,
    });
  }
  for (let j = 0; j < rows.length; j++) {
    try {
      await insertRows(db, appId, firstSeq + j, [rows[j]!]);
    } catch (err) {
      if (!isDataError(err)) throw err;
      log.error("history row set aside: Postgres cannot hold it", {
        err,
        appId,
        seqFrom: firstSeq + j,
        seqTo: firstSeq + j,
      });
    }
  }
}

/** Applies the pending app-row patch; one Postgres refuses for its content is dropped (logged). */
async function writeMirror(db: Db, storage: SessionStorage, appId: string, log: Logger): Promise<void> {
  const latestMirror = storage.getMeta(MIRROR_KEY);
  if (!latestMirror) return;
  const m = JSON.parse(latestMirror) as AppMirror;
  try {
    await db
      .update(apps)
      .set({
        ...(m.runStatus ? { runStatus: m.runStatus } : {}),
        ...(m.lastRunAt ? { lastRunAt: new Date(m.lastRunAt) } : {}),
        ...(m.snapshotVersion !== undefined ? { snapshotVersion: m.snapshotVersion } : {}),
        ...(m.appName ? { appName: pgText(m.appName) } : {}),
        updatedAt: new Date(),
      })
      .where(eq(apps.id, appId));
  } catch (err) {
    if (!isDataError(err)) throw err;
    log.error("app row update set aside: Postgres cannot hold it", { err, appId, patch: m });
  }
  // Clear only what was written; a patch queued meanwhile stays for the next flush.
  if (storage.getMeta(MIRROR_KEY) === latestMirror) storage.setMeta(MIRROR_KEY, "");
}

/**
 * Writes the history to Postgres with one short-lived pool: the rows of the events logged since
 * the last flush, with the user messages in their place, numbered from the app's history
 * counter. The numbering is deterministic, so a flush that fails after writing is repeated with
 * the same numbers and ON CONFLICT (app_id, seq) DO NOTHING keeps it from duplicating anything.
 * The app-row patch is written even when the history cannot be (the run's end must show).
 */
export async function flushOutbox(
  config: Config,
  storage: SessionStorage,
  appId: string,
  log: Logger,
): Promise<void> {
  const mirrorText = storage.getMeta(MIRROR_KEY);
  if (!storage.hasPendingHistory() && !mirrorText) return;
  await withDb(config, async (db) => {
    let historyError: unknown;
    try {
      await flushHistory(db, storage, appId, log);
    } catch (err) {
      historyError = err;
    }
    await writeMirror(db, storage, appId, log);
    if (historyError) throw historyError;
  });
}

async function flushHistory(db: Db, storage: SessionStorage, appId: string, log: Logger): Promise<void> {
  for (;;) {
    const cursor = storage.historyCursor();
    const events = storage.eventsAfter(cursor.eventSeq, BATCH_EVENTS);
    const upTo = events.length ? events[events.length - 1]!.seq : cursor.eventSeq;
    const users = storage.userRows().filter((u) => u.afterSeq <= upTo);
    const rows: HistoryRow[] = [];
    let u = 0;
    for (const e of events) {
      while (u < users.length && users[u]!.afterSeq < e.seq) rows.push(JSON.parse(users[u++]!.row));
      try {
        rows.push(...historyRowsOf(e));
      } catch (err) {
        log.error("history rows of an event set aside: unreadable", { err, appId, eventSeq: e.seq });
      }
    }
    while (u < users.length) rows.push(JSON.parse(users[u++]!.row));
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      await writeRows(db, appId, cursor.historySeq + i + 1, rows.slice(i, i + INSERT_ROWS), log);
    }
    storage.ackHistory(
      upTo,
      users.map((x) => x.id),
      cursor.historySeq + rows.length,
    );
    if (events.length < BATCH_EVENTS) break;
  }
}
