import { describe, expect, it } from "vitest";
import { call } from "./helpers/api";
import { names, sendMessage } from "./helpers/generation";
import { isDone, readSse } from "./helpers/sse";
import { createUser } from "./helpers/users";

// A reader that does not read for a while must not stall the run or another reader, and gets
// every event once it reads: the session buffers for it (up to its limit) instead of blocking.

const EVENTS = 1500;
const ids = (r: { events: { id?: string }[] }) => r.events.filter((e) => e.id).map((e) => Number(e.id));

describe("a slow reader", () => {
  it("a reader that pauses while 1,500 events stream gets them all, in order, once; another reader is not held up", async () => {
    const user = await createUser();
    const res = await sendMessage(`[scenario:trickle events=${EVENTS} size=1024 rate=0 end=refine] go`, {
      token: user.token,
    });
    expect(res.status).toBe(200);
    const appId = res.headers.get("x-app-id")!;
    // A second tab follows the same run and reads at once.
    const other = await call("GET", `/apps/${appId}/events`, { token: user.token });
    expect(other.status).toBe(200);
    const fast = await readSse(other, { until: isDone, timeoutMs: 30_000 });
    expect(names(fast).at(-1)).toBe("done");
    // The first reader has not read a byte yet; the run is over regardless.
    await new Promise((r) => setTimeout(r, 500));
    const slow = await readSse(res, { until: isDone, timeoutMs: 30_000 });
    expect(names(slow).at(-1)).toBe("done");
    const seen = ids(slow);
    expect(seen.length).toBeGreaterThanOrEqual(EVENTS + 2);
    expect(seen).toEqual(seen.map((_, i) => seen[0]! + i));
    expect(ids(fast)).toEqual(seen);
  });
});
