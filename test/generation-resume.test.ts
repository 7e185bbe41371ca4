import { env, introspectWorkflow } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, callJson } from "./helpers/api";
import { agentRequests, dataOf, names, runToDone, sendMessage } from "./helpers/generation";
import { isDone, readSse, type SseEvent } from "./helpers/sse";
import { createUser } from "./helpers/users";

let wf: Awaited<ReturnType<typeof introspectWorkflow>>;
beforeAll(async () => {
  wf = await introspectWorkflow(env.PUBLISH_WORKFLOW);
  await wf.modifyAll((m) => m.disableSleeps());
});
afterAll(async () => {
  await wf.dispose();
});

const ids = (events: SseEvent[]) => events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
const TRICKLE = "[scenario:trickle events=40 size=100 rate=40 end=refine]";

describe("disconnect, resume and watch", () => {
  it("a client that disconnects stops nothing: Last-Event-ID resumes with no gap and no duplicate", async () => {
    const user = await createUser();
    const res = await sendMessage(TRICKLE, { token: user.token });
    const appId = res.headers.get("x-app-id")!;
    const head = await readSse(res, { until: (_e, all) => all.length >= 5 });
    const lastId = head.events.at(-1)!.id!;
    // The client is gone; the run goes on. Catch up from where it stopped.
    const resumed = await readSse(
      await call("GET", `/apps/${appId}/events`, { token: user.token, headers: { "last-event-id": lastId } }),
    );
    expect(resumed.retry).toBe(2000);
    expect(resumed.ended).toBe(true);
    const all = [...ids(head.events), ...ids(resumed.events)];
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(names(resumed).at(-1)).toBe("done");
    const agentEvents = [...head.events, ...resumed.events].filter((e) => e.event === "message");
    expect(agentEvents).toHaveLength(41);
    const history = await callJson<unknown[]>("GET", `/apps/${appId}/history?limit=1000`, {
      token: user.token,
    });
    expect(history.body).toHaveLength(42);
  });

  it("?after= resumes like Last-Event-ID; after the last event with nothing running → 204", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:refine] x", { token: user.token });
    const last = r.events.at(-1)!.id!;
    const rest = await readSse(await call("GET", `/apps/${r.appId}/events?after=2`, { token: user.token }));
    expect(ids(rest.events)[0]).toBe(3);
    expect(ids(rest.events).at(-1)).toBe(Number(last));
    const none = await call("GET", `/apps/${r.appId}/events?after=${last}`, { token: user.token });
    expect(none.status).toBe(204);
    const whole = await readSse(await call("GET", `/apps/${r.appId}/events?after=0`, { token: user.token }));
    expect(ids(whole.events)).toEqual(ids(r.events));
    const bad = await callJson("GET", `/apps/${r.appId}/events?after=abc`, { token: user.token });
    expect(bad.status).toBe(400);
  });

  it("without a cursor, events replays the current run from its first event (a second tab), then follows it live", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a", { token: user.token });
    const res = await sendMessage(TRICKLE, { token: user.token, applicationId: first.appId });
    const tabOne = readSse(res, { until: isDone });
    await new Promise((r) => setTimeout(r, 200));
    const tabTwo = await readSse(await call("GET", `/apps/${first.appId}/events`, { token: user.token }));
    const one = await tabOne;
    expect(ids(tabTwo.events)).toEqual(ids(one.events));
    expect(ids(tabTwo.events)[0]).toBe(Number(first.events.at(-1)!.id) + 1);
    expect(tabTwo.events.map((e) => e.data)).toEqual(one.events.map((e) => e.data));
  });

  it("another user's events, cancel and messages answer 404", async () => {
    const owner = await createUser();
    const other = await createUser();
    const r = await runToDone("[scenario:refine] mine", { token: owner.token });
    for (const [method, path] of [
      ["GET", `/apps/${r.appId}/events`],
      ["POST", `/apps/${r.appId}/cancel`],
      ["GET", "/apps/not-a-uuid/events"],
    ] as const) {
      const res = await callJson(method, path, { token: other.token });
      expect(res.status).toBe(404);
    }
    expect((await call("GET", `/apps/${r.appId}/events`)).status).toBe(401);
  });
});

describe("versions", () => {
  it("an edit gets the exact agentState and the current tree as allFiles, and makes version 2", async () => {
    const user = await createUser();
    const built = await runToDone("[scenario:build] notes app", { token: user.token, timeoutMs: 40_000 });
    expect(names(built).at(-1)).toBe("done");
    const edit = await runToDone("add a search box", {
      token: user.token,
      applicationId: built.appId,
      timeoutMs: 40_000,
    });
    const error = edit.events.find((e) => e.event === "error");
    expect(error).toBeUndefined();
    const reqs = await agentRequests(built.appId);
    const sent = reqs[1]!.body;
    expect(reqs[1]!.scenario).toBe("edit");
    expect(sent.allFiles!.map((f) => f.path).sort()).toContain("scripts/start.sh");
    const readme = sent.allFiles!.find((f) => f.path === "public/media/x.txt")!;
    expect(readme.content).toBe("x marks the spot");
    expect(reqs[1]!.raw).toMatch(/"big":12345678901234567890[,}]/);
    const idle = edit.events
      .filter((e) => e.event === "message")
      .map((e) => dataOf<{ status: string; message: { diffStat: unknown } }>(e));
    const final = idle.find((d) => d.status === "idle" && d.message.diffStat);
    expect(final?.message.diffStat).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "src/old-helper.ts", insertions: 0 })]),
    );
    const app = await callJson<{ snapshotVersion: number }>("GET", `/apps/${built.appId}`, {
      token: user.token,
    });
    expect(app.body.snapshotVersion).toBe(2);
  });

  it("a huge agentState (several MB) is kept and sent back losslessly", async () => {
    const user = await createUser();
    const built = await runToDone("[scenario:huge_state mb=4] big brain", {
      token: user.token,
      timeoutMs: 60_000,
    });
    expect(built.events.find((e) => e.event === "error")).toBeUndefined();
    await runToDone("[scenario:refine] and then?", { token: user.token, applicationId: built.appId });
    const reqs = await agentRequests(built.appId);
    expect(reqs[1]!.raw.length).toBeGreaterThan(3_500_000);
    expect(reqs[1]!.raw).toMatch(/"big":12345678901234567890[,}]/);
  });

  it("no change: an idle StageResult ends the run without a version", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:no_change legacy=1] nothing", { token: user.token });
    expect(r.events.find((e) => e.event === "error")).toBeUndefined();
    const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${r.appId}`, {
      token: user.token,
    });
    expect(app.body.snapshotVersion).toBeNull();
  });
});
