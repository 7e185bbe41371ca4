import { env, runInDurableObject } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import { loadConfig } from "../src/config";
import type { StartInput } from "../src/services/generation/claim-run";
import type { AppSession } from "../src/session/app-session";
import { callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { agentRequests, names, runToDone, sendMessage } from "./helpers/generation";
import { isDone, readSse } from "./helpers/sse";
import { createUser } from "./helpers/users";

// A run starts in one call to the app's session: the lock, then one Postgres statement settling
// ownership, the Idempotency-Key, the daily count and the app row, then the run. These tests
// fault each step and check that a refused or failed start keeps nothing.

const db = useTestDb();

const stub = (appId: string) => sessionStub(env, appId);

async function usage(token: string): Promise<number> {
  const r = await callJson<{ currentUsage: number }>("GET", "/message-limit", { token });
  return r.body.currentUsage;
}

async function appList(token: string): Promise<{ id: string }[]> {
  const r = await callJson<{ data: { id: string }[] }>("GET", "/apps", { token });
  return r.body.data;
}

/** Points the app's session at a database that refuses connections, until the returned undo. */
async function cutDatabase(appId: string): Promise<() => Promise<void>> {
  const broken = { ...loadConfig(env), DATABASE_URL: "postgres://app:app@127.0.0.1:1/app" };
  await runInDurableObject(stub(appId), (instance: AppSession) => {
    Object.defineProperty(instance, "config", { get: () => broken, configurable: true });
  });
  return () =>
    runInDurableObject(stub(appId), (instance: AppSession) => {
      delete (instance as unknown as { config?: unknown }).config;
    });
}

describe("starting a run", () => {
  it("the database unreachable at start: 503, nothing counted, no run, the app idle; the next message runs", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a notes app", { token: user.token });
    const before = await usage(user.token);
    const restore = await cutDatabase(first.appId);
    const res = await sendMessage("[scenario:refine] add tags", {
      token: user.token,
      applicationId: first.appId,
    });
    await restore();
    expectProblem({ res, status: res.status, body: await res.json() }, 503, "upstream_unavailable");
    expect(await usage(user.token)).toBe(before);
    expect(await agentRequests(first.appId)).toHaveLength(1);
    const app = await callJson<{ runStatus: string }>("GET", `/apps/${first.appId}`, { token: user.token });
    expect(app.body.runStatus).toBe("idle");
    const next = await runToDone("[scenario:refine] add tags", {
      token: user.token,
      applicationId: first.appId,
    });
    expect(names(next).at(-1)).toBe("done");
    expect(await usage(user.token)).toBe(before + 1);
  });

  it("two concurrent first messages with one Idempotency-Key make one app, one count and one agent call", async () => {
    const user = await createUser();
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([
      sendMessage("[scenario:refine] a twin", { token: user.token, idempotencyKey: key }),
      sendMessage("[scenario:refine] a twin", { token: user.token, idempotencyKey: key }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const appId = a.headers.get("x-app-id")!;
    expect(b.headers.get("x-app-id")).toBe(appId);
    const [ra, rb] = await Promise.all([
      readSse(a, { until: isDone, timeoutMs: 25_000 }),
      readSse(b, { until: isDone, timeoutMs: 25_000 }),
    ]);
    expect(ra.events.map((e) => e.id)).toEqual(rb.events.map((e) => e.id));
    expect(names(ra).at(-1)).toBe("done");
    expect(await usage(user.token)).toBe(1);
    expect(await agentRequests(appId)).toHaveLength(1);
    expect((await appList(user.token)).map((x) => x.id)).toEqual([appId]);
  });

  it("a start repeated with the same run id (a retried call) attaches to the run instead of starting another", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a diary", { token: user.token });
    const input: StartInput = {
      appId: first.appId,
      runId: crypto.randomUUID(),
      traceId: `app-${first.appId}.req-${crypto.randomUUID()}`,
      userId: user.id,
      ownerIsEmployee: false,
      newApp: null,
      techStack: "trpc_agent",
      message: "[scenario:silence] and again",
      settings: {},
      idempotency: null,
    };
    const once = await stub(first.appId).start(input);
    const twice = await stub(first.appId).start(input);
    expect(once.type).toBe("started");
    expect(twice).toEqual({ type: "attach", runId: input.runId });
    if (once.type === "started") await once.stream.cancel();
    await stub(first.appId).cancel();
    expect(await usage(user.token)).toBe(2);
  });

  it("an app deleted while its start is being settled: 404, the message given back, the agent never called", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a garden planner", { token: user.token });
    const before = await usage(user.token);
    let answer: Response | undefined;
    // Hold the app row so the start's statement waits on it; mark the app deleted meanwhile.
    await db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from apps where id = ${first.appId}::uuid for update`);
      const pending = sendMessage("[scenario:refine] add roses", {
        token: user.token,
        applicationId: first.appId,
      }).then((r) => {
        answer = r;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(answer).toBeUndefined();
      await stub(first.appId).markDeleted();
      void pending;
    });
    const until = Date.now() + 10_000;
    while (!answer && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(answer?.status).toBe(404);
    expect(await usage(user.token)).toBe(before);
    expect(await agentRequests(first.appId)).toHaveLength(1);
  });
});
