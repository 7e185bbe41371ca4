import { eq } from "drizzle-orm";
import type { Config } from "../config";
import { withDb } from "../db/client";
import { appPrompts, apps } from "../db/schema";
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

/**
 * Writes the history to Postgres with one short-lived pool: the rows of the events logged since
 * the last flush, with the user messages in their place, numbered from the app's history
 * counter. The numbering is deterministic, so a flush that fails after writing is repeated with
 * the same numbers and ON CONFLICT (app_id, seq) DO NOTHING keeps it from duplicating anything.
 */
export async function flushOutbox(config: Config, storage: SessionStorage, appId: string): Promise<void> {
  const mirrorText = storage.getMeta(MIRROR_KEY);
  if (!storage.hasPendingHistory() && !mirrorText) return;
  await withDb(config, async (db) => {
    for (;;) {
      const cursor = storage.historyCursor();
      const events = storage.eventsAfter(cursor.eventSeq, BATCH_EVENTS);
      const upTo = events.length ? events[events.length - 1]!.seq : cursor.eventSeq;
      const users = storage.userRows().filter((u) => u.afterSeq <= upTo);
      const rows: HistoryRow[] = [];
      let u = 0;
      for (const e of events) {
        while (u < users.length && users[u]!.afterSeq < e.seq) rows.push(JSON.parse(users[u++]!.row));
        rows.push(...historyRowsOf(e));
      }
      while (u < users.length) rows.push(JSON.parse(users[u++]!.row));
      for (let i = 0; i < rows.length; i += INSERT_ROWS) {
        await db
          .insert(appPrompts)
          .values(
            rows.slice(i, i + INSERT_ROWS).map((r, j) => ({
              id: crypto.randomUUID(),
              appId,
              seq: cursor.historySeq + i + j + 1,
              prompt: r.prompt,
              kind: r.kind,
              messageKind: r.messageKind,
              metadata: r.metadata ?? null,
              traceId: r.traceId,
              runId: r.runId,
              createdAt: new Date(r.createdAt),
            })),
          )
          .onConflictDoNothing({ target: [appPrompts.appId, appPrompts.seq] });
      }
      storage.ackHistory(
        upTo,
        users.map((x) => x.id),
        cursor.historySeq + rows.length,
      );
      if (events.length < BATCH_EVENTS) break;
    }
    const latestMirror = storage.getMeta(MIRROR_KEY);
    if (latestMirror) {
      const m = JSON.parse(latestMirror) as AppMirror;
      await db
        .update(apps)
        .set({
          ...(m.runStatus ? { runStatus: m.runStatus } : {}),
          ...(m.lastRunAt ? { lastRunAt: new Date(m.lastRunAt) } : {}),
          ...(m.snapshotVersion !== undefined ? { snapshotVersion: m.snapshotVersion } : {}),
          ...(m.appName ? { appName: m.appName } : {}),
          updatedAt: new Date(),
        })
        .where(eq(apps.id, appId));
      // Clear only what was written; a patch queued meanwhile stays for the next flush.
      if (storage.getMeta(MIRROR_KEY) === latestMirror) storage.setMeta(MIRROR_KEY, "");
    }
  });
}
