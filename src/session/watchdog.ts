import type { RunRow } from "./storage";

const STALE_PENDING_MS = 60_000;
/** How long a run waits for the publishing step's first outcome before it gives up on it. */
export const PUBLISH_WAIT_MS = 10 * 60_000;

/** A lock taken but never turned into a run: the request died between the lock and the start. */
export const isStaleLock = (run: RunRow, now: number) =>
  run.status === "pending" && now - run.startedAt > STALE_PENDING_MS;

export type WatchdogAction = "none" | "drop_lock" | "interrupt" | "timeout" | "publish_timeout";

/**
 * What the heartbeat alarm does about the active run: drop a stale lock, end a run whose reader
 * was lost (eviction, restart, deploy), time out a silent agent, or stop waiting for a publishing
 * step that never answered. Nothing stays `running` forever.
 */
export function watchdogAction(
  run: RunRow,
  at: { now: number; idleMs: number; readerAlive: boolean },
): WatchdogAction {
  const quietFor = at.now - (run.lastByteAt ?? run.startedAt);
  switch (run.status) {
    case "pending":
      return isStaleLock(run, at.now) ? "drop_lock" : "none";
    case "running":
      if (!at.readerAlive) return "interrupt";
      return quietFor > at.idleMs ? "timeout" : "none";
    case "publishing":
      return quietFor > PUBLISH_WAIT_MS ? "publish_timeout" : "none";
    default:
      return "none";
  }
}
