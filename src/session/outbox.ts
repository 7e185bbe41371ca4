import { eq } from "drizzle-orm";
import type { Config } from "../config";
import { withDb } from "../db/client";
import { appPrompts, apps } from "../db/schema";
import type { SessionStorage } from "./storage";

/** A history row as queued in the Durable Object, flushed to `app_prompts` later. */
export interface HistoryRow {
  id: string;
  appId: string;
  seq: number;
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

const BATCH_ROWS = 200;
const MIRROR_KEY = "pending_mirror";

export function queueMirror(storage: SessionStorage, patch: AppMirror): void {
  const current = JSON.parse(storage.getMeta(MIRROR_KEY) || "{}") as AppMirror;
  storage.setMeta(MIRROR_KEY, JSON.stringify({ ...current, ...patch }));
}

/**
 * Writes the queued history rows and the app mirror to Postgres with one short-lived pool:
 * batched inserts, ON CONFLICT (app_id, seq) DO NOTHING, so a retried flush never duplicates.
 */
export async function flushOutbox(config: Config, storage: SessionStorage, appId: string): Promise<void> {
  const mirrorText = storage.getMeta(MIRROR_KEY);
  if (!storage.hasPendingHistory() && !mirrorText) return;
  await withDb(config, async (db) => {
    for (;;) {
      const batch = storage.pendingHistory(BATCH_ROWS);
      if (!batch.length) break;
      const rows = batch.map((b) => JSON.parse(b.row) as HistoryRow);
      await db
        .insert(appPrompts)
        .values(
          rows.map((r) => ({
            id: r.id,
            appId: r.appId,
            seq: r.seq,
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
      storage.ackHistory(batch[batch.length - 1]!.seq);
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
