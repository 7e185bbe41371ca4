import { describe, expect, it } from "vitest";
import { ApiError, type AppEvent, type FetchLike, StreamProtocolError } from "../../client/src/index";
import { clientFor, collect, workerFetch } from "../helpers/client";
import { agentRequests } from "../helpers/generation";
import { createUser } from "../helpers/users";

// sendMessage and followEvents against the real Worker, with a `fetch` in between that records
// every request and cuts connections the way a network does.

const TRICKLE = "[scenario:trickle events=30 size=100 rate=60 end=refine]";
const REFINE = "[scenario:refine] a question first";

interface Seen {
  method: string;
  path: string;
  idempotencyKey: string | null;
  lastEventId: string | null;
  status?: number;
}

/** The end offset (in `text`) of its `n`th complete event that has data, or -1. */
function endOfEvent(text: string, n: number): number {
  if (n === 0) return 0;
  let count = 0;
  let pos = 0;
  for (;;) {
    const end = text.indexOf("\n\n", pos);
    if (end === -1) return -1;
    const block = text.slice(pos, end);
    pos = end + 2;
    if (/^data:/m.test(block) && ++count === n) return pos;
  }
}

/**
 * The body passed through up to its `events`th event and `extra` characters of the next one
 * (a cut in the middle of an event), then an error, as a reader sees a lost connection.
 */
function cutBody(
  body: ReadableStream<Uint8Array>,
  events: number,
  extra: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let text = "";
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const from = text.length;
      text += decoder.decode(value, { stream: true });
      const end = endOfEvent(text, events);
      if (end === -1) return controller.enqueue(value);
      controller.enqueue(encoder.encode(text.slice(from, Math.min(text.length, end + extra))));
      await reader.cancel();
      controller.error(new TypeError("network connection lost"));
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

type Fault = { cutAfterEvents: number; extra?: number } | "lost before the answer" | undefined;

/** The Worker's fetch, recording requests; `fault(seen, i)` says what befalls the `i`th. */
function faultyFetch(fault: (s: Seen, i: number) => Fault) {
  const seen: Seen[] = [];
  const fetch: FetchLike = async (url, init) => {
    const h = new Headers(init.headers);
    const s: Seen = {
      method: init.method ?? "GET",
      path: new URL(url).pathname + new URL(url).search,
      idempotencyKey: h.get("idempotency-key"),
      lastEventId: h.get("last-event-id"),
    };
    const what = fault(s, seen.length);
    seen.push(s);
    const res = await workerFetch(url, init);
    s.status = res.status;
    if (what === "lost before the answer") {
      await res.body?.cancel();
      throw new TypeError("fetch failed: the connection was lost before the answer");
    }
    if (!what || !res.body) return res;
    return new Response(cutBody(res.body, what.cutAfterEvents, what.extra ?? 0), {
      status: res.status,
      headers: res.headers,
    });
  };
  return { fetch, seen };
}

const ids = (events: AppEvent[]) => events.map((e) => e.id);
const contiguous = (list: (number | undefined)[]) =>
  list.every((id, i) => i === 0 || id === list[i - 1]! + 1);

async function usageOf(token: string) {
  return (await clientFor(token).get("/message-limit")).data.currentUsage;
}

describe("sendMessage", () => {
  it("streams a run's typed events to done, with the app id and the limit headers", async () => {
    const user = await createUser();
    const stream = clientFor(user.token).sendMessage({ message: REFINE });
    const events = await collect(stream);
    expect(events.at(-1)?.event).toBe("done");
    expect(stream.appId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stream.headers?.get("x-dailylimit-usage")).toBe("1");
    expect(stream.lastEventId).toBe(events.at(-1)!.id);
    const first = events[0]!;
    if (first.event !== "message") throw new Error(`first event: ${first.event}`);
    expect(first.data.appId).toBe(stream.appId);
    expect(first.data.message.messages[0]?.content).toEqual(expect.any(String));
    const done = events.at(-1)!;
    if (done.event === "done")
      expect(done.data).toEqual({ done: true, traceId: first.data.traceId, appId: stream.appId });
  });

  it("a connection cut mid-event resumes from Last-Event-ID: every event once, in order, as the log has them", async () => {
    const user = await createUser();
    // The POST's stream is cut in the middle of its 4th event, the first resume's in its 6th.
    const { fetch, seen } = faultyFetch((_s, i) =>
      i === 0 ? { cutAfterEvents: 3, extra: 25 } : i === 1 ? { cutAfterEvents: 5, extra: 9 } : undefined,
    );
    const stream = clientFor(user.token, { fetch }).sendMessage({ message: TRICKLE });
    const events = await collect(stream);

    const log = await collect(clientFor(user.token).followEvents(stream.appId!, { after: 0 }));
    expect(ids(events)).toEqual(ids(log));
    expect(events.map((e) => e.data)).toEqual(log.map((e) => e.data));
    expect(contiguous(ids(events))).toBe(true);
    expect(events.at(-1)?.event).toBe("done");
    expect(events.filter((e) => e.event === "message")).toHaveLength(31);

    const events0 = `/apps/${stream.appId}/events`;
    expect(seen.map((s) => [s.method, s.path, s.lastEventId])).toEqual([
      ["POST", "/message", null],
      ["GET", events0, String(events[2]!.id)],
      ["GET", events0, String(events[7]!.id)],
    ]);
    expect(await agentRequests(stream.appId!)).toHaveLength(1);
  });

  it("a send whose answer was lost is sent again with the same Idempotency-Key: it attaches, one run, counted once", async () => {
    const user = await createUser();
    const { fetch, seen } = faultyFetch((_s, i) => (i === 0 ? "lost before the answer" : undefined));
    const stream = clientFor(user.token, { fetch }).sendMessage({ message: REFINE });
    const events = await collect(stream);

    expect(seen.map((s) => [s.method, s.path, s.status])).toEqual([
      ["POST", "/message", 200],
      ["POST", "/message", 200],
    ]);
    expect(seen[0]!.idempotencyKey).toBe(stream.idempotencyKey);
    expect(seen[1]!.idempotencyKey).toBe(stream.idempotencyKey);
    expect(events.at(-1)?.event).toBe("done");
    expect(contiguous(ids(events))).toBe(true);
    expect(events[0]!.id).toBe(1);
    expect(await usageOf(user.token)).toBe(1);
    expect(await agentRequests(stream.appId!)).toHaveLength(1);
    const apps = await clientFor(user.token).get("/apps");
    expect(apps.data.data.map((a) => a.id)).toEqual([stream.appId]);
  });

  it("a cut before the first event sends again with the key (replay from the first event), not a second run", async () => {
    const user = await createUser();
    const { fetch, seen } = faultyFetch((_s, i) => (i === 0 ? { cutAfterEvents: 0, extra: 0 } : undefined));
    const events = await collect(clientFor(user.token, { fetch }).sendMessage({ message: TRICKLE }));
    expect(seen.map((s) => s.method)).toEqual(["POST", "POST"]);
    expect(seen[1]!.idempotencyKey).toBe(seen[0]!.idempotencyKey);
    expect(contiguous(ids(events))).toBe(true);
    expect(events.at(-1)?.event).toBe("done");
    expect(await usageOf(user.token)).toBe(1);
  });

  it("a problem before the stream opens is thrown as a typed ApiError, and not retried", async () => {
    const user = await createUser();
    const { fetch, seen } = faultyFetch(() => undefined);
    const stream = clientFor(user.token, { fetch }).sendMessage({
      message: "hello",
      applicationId: crypto.randomUUID(),
    });
    const err = await collect(stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: "not_found" });
    expect(seen).toHaveLength(1);
  });

  it("409 run_in_progress names the events URL; following it sees the running run to its done", async () => {
    const user = await createUser();
    const api = clientFor(user.token);
    const first = api.sendMessage({ message: REFINE });
    await collect(first);
    const appId = first.appId!;
    const running = api.sendMessage({ message: TRICKLE, applicationId: appId });
    const head = await running.next();
    expect(head.value?.event).toBe("message");
    const err = await collect(api.sendMessage({ message: "another", applicationId: appId })).catch(
      (e: unknown) => e,
    );
    if (!(err instanceof ApiError)) throw err;
    expect(err.code).toBe("run_in_progress");
    expect(err.problem.eventsUrl).toBe(`/apps/${appId}/events`);
    const watched = await collect(api.followEvents(appId));
    const rest = await collect(running);
    expect(ids(watched)).toEqual([head.value!.id, ...ids(rest)]);
  });

  it("an aborted send stops reading (AbortError) while the run goes on to its done on the server", async () => {
    const user = await createUser();
    const controller = new AbortController();
    const api = clientFor(user.token);
    const stream = api.sendMessage({ message: TRICKLE }, { signal: controller.signal });
    const got: AppEvent[] = [];
    const err = await (async () => {
      for await (const e of stream) {
        got.push(e);
        if (got.length === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(got).toHaveLength(3);
    const rest = await collect(api.followEvents(stream.appId!, { after: stream.lastEventId }));
    expect(rest.at(-1)?.event).toBe("done");
    expect(contiguous([...ids(got), ...ids(rest)])).toBe(true);
  });

  it("connections that keep failing are given up after maxAttempts, with the last failure", async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls++;
      throw new TypeError("fetch failed");
    };
    const stream = clientFor("token", {
      fetch,
      reconnect: { initialDelayMs: 1, maxAttempts: 4 },
    }).sendMessage({
      message: "x",
    });
    await expect(collect(stream)).rejects.toThrow("fetch failed");
    expect(calls).toBe(4);
  });

  it("a token that cannot be had ends the stream at once (not a connection failure to retry)", async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls++;
      return new Response(null, { status: 500 });
    };
    const stream = clientFor(undefined, {
      fetch,
      getToken: () => Promise.reject(new Error("signed out")),
    }).sendMessage({ message: "x" });
    await expect(collect(stream)).rejects.toThrow("signed out");
    expect(calls).toBe(0);
  });

  it("a 200 that is not an event stream (a proxy's page) is a StreamProtocolError", async () => {
    const fetch: FetchLike = async () =>
      new Response("<html>hi</html>", { headers: { "content-type": "text/html" } });
    await expect(collect(clientFor("token", { fetch }).sendMessage({ message: "x" }))).rejects.toBeInstanceOf(
      StreamProtocolError,
    );
  });

  it("an abort during the wait before a retry ends it at once", async () => {
    const controller = new AbortController();
    const fetch: FetchLike = async () => {
      throw new TypeError("fetch failed");
    };
    const stream = clientFor("token", { fetch, reconnect: { initialDelayMs: 60_000 } }).sendMessage(
      { message: "x" },
      { signal: controller.signal },
    );
    const ended = collect(stream).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error("user left")), 20);
    const t0 = Date.now();
    expect(await ended).toEqual(new Error("user left"));
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe("followEvents", () => {
  it("the 204 rule: nothing in progress and nothing after the cursor ends the iteration after one request", async () => {
    const user = await createUser();
    const run = clientFor(user.token).sendMessage({ message: REFINE });
    await collect(run);
    const { fetch, seen } = faultyFetch(() => undefined);
    const events = await collect(
      clientFor(user.token, { fetch }).followEvents(run.appId!, { after: run.lastEventId }),
    );
    expect(events).toEqual([]);
    expect(seen.map((s) => s.status)).toEqual([204]);
  });

  it("replays the log; when the server closes it, asks once more from its last event and stops at 204", async () => {
    const user = await createUser();
    const run = clientFor(user.token).sendMessage({ message: REFINE });
    const sent = await collect(run);
    const { fetch, seen } = faultyFetch(() => undefined);
    const events = await collect(clientFor(user.token, { fetch }).followEvents(run.appId!, { after: 0 }));
    expect(ids(events)).toEqual(ids(sent));
    expect(seen.map((s) => [s.path.replace(run.appId!, "<app>"), s.lastEventId, s.status])).toEqual([
      ["/apps/<app>/events?after=0", null, 200],
      ["/apps/<app>/events", String(run.lastEventId), 204],
    ]);
  });

  it("a cut follow resumes from its last event with no gap and no duplicate", async () => {
    const user = await createUser();
    const api = clientFor(user.token);
    const run = api.sendMessage({ message: TRICKLE });
    const head = await run.next();
    const { fetch, seen } = faultyFetch((_s, i) => (i === 0 ? { cutAfterEvents: 4, extra: 30 } : undefined));
    const watched = await collect(clientFor(user.token, { fetch }).followEvents(run.appId!));
    const rest = await collect(run);
    expect(ids(watched)).toEqual([head.value!.id, ...ids(rest)]);
    expect(seen[1]?.lastEventId).toBe(String(watched[3]!.id));
  });

  it("an app of another user is a typed 404 problem", async () => {
    const owner = await createUser();
    const other = await createUser();
    const run = clientFor(owner.token).sendMessage({ message: REFINE });
    await collect(run);
    const err = await collect(clientFor(other.token).followEvents(run.appId!)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).problem).toMatchObject({ status: 404, code: "not_found", type: "about:blank" });
  });
});

describe("restoreVersion", () => {
  it("streams a restore to done, resumed after a cut from Last-Event-ID; a version the app lacks is a typed 404", async () => {
    const user = await createUser();
    const built = clientFor(user.token).sendMessage({ message: "a todo list" });
    await collect(built);
    const appId = built.appId!;

    const { fetch, seen } = faultyFetch((_s, i) => (i === 0 ? { cutAfterEvents: 1, extra: 7 } : undefined));
    const stream = clientFor(user.token, { fetch }).restoreVersion(appId, 1);
    const events = await collect(stream);
    expect(events.at(-1)?.event).toBe("done");
    const first = events[0]!;
    expect(first.event === "message" && first.data.metadata).toEqual({
      type: "version_restored",
      version: 2,
      restoredFrom: 1,
    });
    // The log from the restore's first event (it goes on live while the deployment runs: read as many).
    const log: AppEvent[] = [];
    for await (const e of clientFor(user.token).followEvents(appId, { after: first.id! - 1 })) {
      if (log.push(e) === events.length) break;
    }
    expect(ids(events)).toEqual(ids(log));
    expect(seen.map((s) => [s.method, s.path, s.lastEventId])).toEqual([
      ["POST", `/apps/${appId}/versions/1/restore`, null],
      ["GET", `/apps/${appId}/events`, String(first.id)],
    ]);
    expect(seen[0]!.idempotencyKey).toBe(stream.idempotencyKey);

    const missing = clientFor(user.token).restoreVersion(appId, 9);
    const err = await collect(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: "no_such_version" });
  });
});
