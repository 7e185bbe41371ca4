import { type ServiceContext, withDbContext } from "../context";
import type { Logger as FullLogger } from "../logger";
import {
  type AppMirror,
  type HistoryRow,
  type HistoryWriter,
  historyWriter,
} from "../services/history/writer";
import type { SessionStorage, StoredEvent } from "./storage";

const BATCH_EVENTS = 500;
const INSERT_ROWS = 200;
const MIRROR_KEY = "pending_mirror";

export function queueMirror(storage: SessionStorage, patch: AppMirror): void {
  const current = JSON.parse(storage.getMeta(MIRROR_KEY) || "{}") as AppMirror;
  // Versions add up (each is its own row); the rest of the patch is the app row's latest state.
  const versions = [...(current.versions ?? []), ...(patch.versions ?? [])];
  const merged: AppMirror = { ...current, ...patch, ...(versions.length ? { versions } : {}) };
  storage.setMeta(MIRROR_KEY, JSON.stringify(merged));
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

/** Applies the pending app-row patch, then clears it unless a newer one was queued meanwhile. */
async function flushMirror(writer: HistoryWriter, storage: SessionStorage): Promise<void> {
  const latestMirror = storage.getMeta(MIRROR_KEY);
  if (!latestMirror) return;
  await writer.writeMirror(JSON.parse(latestMirror) as AppMirror);
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
  ctx: ServiceContext,
  storage: SessionStorage,
  appId: string,
): Promise<void> {
  const mirrorText = storage.getMeta(MIRROR_KEY);
  if (!storage.hasPendingHistory() && !mirrorText) return;
  await withDbContext(ctx, async (ctx) => {
    const writer = historyWriter({ ctx, input: { appId } });
    let historyError: unknown;
    try {
      await flushHistory(writer, storage, appId, ctx.logger);
    } catch (err) {
      historyError = err;
    }
    await flushMirror(writer, storage);
    if (historyError) throw historyError;
  });
}

async function flushHistory(
  writer: HistoryWriter,
  storage: SessionStorage,
  appId: string,
  log: Logger,
): Promise<void> {
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
      await writer.writeRows(cursor.historySeq + i + 1, rows.slice(i, i + INSERT_ROWS));
    }
    storage.ackHistory(
      upTo,
      users.map((x) => x.id),
      cursor.historySeq + rows.length,
    );
    if (events.length < BATCH_EVENTS) break;
  }
}
