// One fetch of a user's profile at a time per isolate. Concurrent first requests of a new user
// would otherwise each call Stack and GitHub. The followers never await the leader's promise (a
// Worker must not wait on I/O another request started: that request may be cancelled and its
// promise never settle); they poll plain data the leader leaves behind, and a leader that vanished
// without a word lets them go after LEASE_MS.

/** Longer than the slowest profile fetch: Stack (5 s) and then GitHub (two 5 s calls). */
export const LEASE_MS = 16_000;
const POLL_MS = 15;

export type FlightOutcome = { ok: true } | { ok: false; error: unknown };

interface Flight {
  startedAt: number;
  outcome?: FlightOutcome;
  /** When the outcome was set: followers that wake later still read it for a moment. */
  endedAt?: number;
}

const flights = new Map<string, Flight>();
const KEEP_ENDED_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function current(key: string, now: number): Flight | undefined {
  const f = flights.get(key);
  if (!f) return undefined;
  const stale = f.endedAt !== undefined ? now - f.endedAt > KEEP_ENDED_MS : now - f.startedAt > LEASE_MS;
  if (stale) {
    flights.delete(key);
    return undefined;
  }
  return f;
}

/**
 * Claims the fetch for `key` when nobody holds it (synchronously: no await between the check and
 * the claim). Returns the `end` the leader must call with its outcome, or null when another
 * request leads.
 */
export function lead(key: string): ((outcome: FlightOutcome) => void) | null {
  const now = Date.now();
  const f = current(key, now);
  if (f && f.outcome === undefined) return null;
  const mine: Flight = { startedAt: now };
  flights.set(key, mine);
  return (outcome) => {
    mine.outcome = outcome;
    mine.endedAt = Date.now();
  };
}

/**
 * Waits while another request fetches `key`: its outcome, or undefined when there was no flight
 * or its leader went silent past the lease.
 */
export async function follow(key: string): Promise<FlightOutcome | undefined> {
  for (;;) {
    const f = current(key, Date.now());
    if (!f) return undefined;
    if (f.outcome) return f.outcome;
    await sleep(POLL_MS);
  }
}
