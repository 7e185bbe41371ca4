import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import { apps } from "../src/db/schema";
import type { AppSession } from "../src/session/app-session";
import { call, callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { config, standInUrl } from "./helpers/env";
import {
  agentRequests,
  expectEndedAndReusable,
  expectIdleAndReusable,
  names,
  runToDone,
  sendMessage,
} from "./helpers/generation";
import { isDone, readSse } from "./helpers/sse";
import { createUser, type TestUser } from "./helpers/users";

// Every way a run ends gives back the lock, sets runStatus idle and ends the stream with
// `error` then `done`; the proof for each exit is that the next message is accepted.

const db = useTestDb();

const stub = (appId: string) => sessionStub(env, appId);

/** An app whose session holds one finished run (so its Durable Object exists and can be faulted). */
async function appWithSession(user: TestUser): Promise<string> {
  const first = await runToDone("[scenario:refine] a recipe book", { token: user.token });
  return first.appId;
}

/** Makes one method of the session's storage throw (once) inside the running object. */
async function breakStorage(appId: string, method: string, when: (args: unknown[]) => boolean = () => true) {
  await runInDurableObject(stub(appId), (instance: AppSession) => {
    const store = (instance as unknown as { store: Record<string, (...a: unknown[]) => unknown> }).store;
    const original = store[method]!.bind(store);
    let armed = true;
    store[method] = (...args: unknown[]) => {
      if (armed && when(args)) {
        armed = false;
        throw new Error(`SQLITE_FULL: injected fault in ${method}`);
      }
      return original(...args);
    };
  });
}

describe("every exit path of a run releases the lock and ends its readers", () => {
  it("agent error (RuntimeError)", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const r = await runToDone("[scenario:runtime_error] x", { token: user.token, applicationId: appId });
    await expectEndedAndReusable(user, appId, r, "agent_error");
  });

  it("agent unavailable (503 before any byte)", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const r = await runToDone("[scenario:http_error status=503] x", {
      token: user.token,
      applicationId: appId,
    });
    await expectEndedAndReusable(user, appId, r, "agent_unavailable");
  });

  it("protocol error: the stream is cut before the idle event", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const r = await runToDone("[scenario:cut] x", { token: user.token, applicationId: appId });
    await expectEndedAndReusable(user, appId, r, "agent_protocol");
  });

  for (const field of ["unifiedDiff", "messages", "app_name"]) {
    it(`protocol error: an idle event whose ${field} has the wrong type`, async () => {
      const user = await createUser();
      const appId = await appWithSession(user);
      const r = await runToDone(`[scenario:bad_idle field=${field}] x`, {
        token: user.token,
        applicationId: appId,
      });
      await expectEndedAndReusable(user, appId, r, "agent_protocol");
      const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${appId}`, {
        token: user.token,
      });
      expect(app.body.snapshotVersion).toBeNull();
    });
  }

  // A storage method that throws once: [test name, method, which call, scenario, error code].
  const storageFaults: [string, string, (a: unknown[]) => boolean, string, string][] = [
    [
      "a storage (SQLite) error after the idle event, while the version is made",
      "replaceTree",
      () => true,
      "build",
      "internal",
    ],
    [
      "an exception while the agent's answer is remembered (no version made)",
      "putText",
      () => true,
      "refine",
      "internal",
    ],
    // Agent events are logged a chunk at a time (appendEvents); the run's own events one by one.
    [
      "a storage error while an agent event is logged mid-stream",
      "appendEvents",
      (a) => a[1] === "message",
      "build",
      "internal",
    ],
    [
      "a storage error while the run's error event itself is logged: readers still get error + done",
      "appendEvent",
      (a) => a[1] === "error",
      "cut",
      "agent_protocol",
    ],
  ];
  for (const [name, method, when, scenario, code] of storageFaults) {
    it(name, async () => {
      const user = await createUser();
      const appId = await appWithSession(user);
      await breakStorage(appId, method, when);
      const r = await runToDone(`[scenario:${scenario}] x`, { token: user.token, applicationId: appId });
      await expectEndedAndReusable(user, appId, r, code);
    });
  }

  it("the snapshot cannot be stored (S3 down)", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    await fetch(`${standInUrl("s3")}/__dev/fail`, {
      method: "POST",
      body: JSON.stringify({ match: `PUT /${config.S3_BUCKET}/apps/${appId}/v1/`, status: 503, times: 1000 }),
    });
    const r = await runToDone("[scenario:build] x", { token: user.token, applicationId: appId });
    await fetch(`${standInUrl("s3")}/__dev/fail`, {
      method: "POST",
      body: JSON.stringify({ match: `PUT /${config.S3_BUCKET}/apps/${appId}/v1/`, status: 503, times: 0 }),
    });
    await expectEndedAndReusable(user, appId, r, "internal");
  });

  it("S3 failing past the client's own retries once: the snapshot is stored on the second try, the run ends without error", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    // The client tries each call 3 times; 3 failures make the first store fail as a whole.
    await fetch(`${standInUrl("s3")}/__dev/fail`, {
      method: "POST",
      body: JSON.stringify({ match: `PUT /${config.S3_BUCKET}/apps/${appId}/v1/`, status: 503, times: 3 }),
    });
    const r = await runToDone("[scenario:build] x", { token: user.token, applicationId: appId });
    expect(names(r).at(-1)).toBe("done");
    expect(r.events.some((e) => e.event === "error")).toBe(false);
    const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${appId}`, {
      token: user.token,
    });
    expect(app.body.snapshotVersion).toBe(1);
  });

  it("cancel: POST /cancel while the agent is silent", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const res = await sendMessage("[scenario:silence ms=60000] x", {
      token: user.token,
      applicationId: appId,
    });
    expect(res.status).toBe(200);
    const cancel = await callJson("POST", `/apps/${appId}/cancel`, { token: user.token });
    expect(cancel.status).toBe(202);
    const r = await readSse(res, { until: isDone });
    await expectEndedAndReusable(user, appId, r, "cancelled");
  });

  it("agent_timeout: the agent sends nothing for the idle timeout (the reader's clock)", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      instance.idleTimeoutMs = 400;
    });
    const r = await runToDone("[scenario:silence ms=60000] x", { token: user.token, applicationId: appId });
    await expectEndedAndReusable(user, appId, r, "agent_timeout");
  });

  it("agent_timeout: the heartbeat alarm finds the agent silent past the idle timeout", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const res = await sendMessage("[scenario:silence ms=60000] x", {
      token: user.token,
      applicationId: appId,
    });
    expect(res.status).toBe(200);
    // The reader's own clock still allows 120 s; the alarm judges by a shorter idle timeout.
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      instance.idleTimeoutMs = 1;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(await runDurableObjectAlarm(stub(appId))).toBe(true);
    const r = await readSse(res, { until: isDone });
    await expectEndedAndReusable(user, appId, r, "agent_timeout");
  });

  it("run_interrupted: the heartbeat alarm finds a running run whose reader was lost", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    // What an eviction leaves behind: a run marked running (here and in Postgres), no reader.
    await runInDurableObject(stub(appId), (_instance: AppSession, state) => {
      state.storage.sql.exec(
        "INSERT INTO runs (id, trace_id, status, user_id, started_at, last_byte_at) VALUES ('lost-run', ?, 'running', ?, ?, ?)",
        `app-${appId}.req-lost`,
        user.id,
        Date.now(),
        Date.now(),
      );
    });
    await db.update(apps).set({ runStatus: "running" }).where(eq(apps.id, appId));
    expect(await runDurableObjectAlarm(stub(appId))).toBe(true);
    const r = await readSse(await call("GET", `/apps/${appId}/events?after=0`, { token: user.token }));
    await expectEndedAndReusable(user, appId, r, "run_interrupted");
  });

  it("an agent line longer than the limit ends the run with agent_protocol", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      instance.maxAgentLineChars = 1024 * 1024;
    });
    const r = await runToDone("[scenario:huge_state mb=2] x", { token: user.token, applicationId: appId });
    await expectEndedAndReusable(user, appId, r, "agent_protocol");
    expect((r.events.find((e) => e.event === "error")!.json as { message: string }).message).toContain(
      "longer than 1048576 characters",
    );
  });
});

describe("limits of a version and deletion against a run", () => {
  it("a diff that would make a version over the file limit ends with patch_failed; no version, the next message runs", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      instance.treeLimits = { files: 2, chars: 1024 * 1024 };
    });
    const r = await runToDone("[scenario:build] x", { token: user.token, applicationId: appId });
    await expectEndedAndReusable(user, appId, r, "patch_failed");
    expect((r.events.find((e) => e.event === "error")!.json as { message: string }).message).toMatch(
      /at most 2 are allowed/,
    );
    const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${appId}`, {
      token: user.token,
    });
    expect(app.body.snapshotVersion).toBeNull();
  });

  it("a message accepted just as the app is deleted never starts a run: 404, the agent is not called, nothing counted", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const before = (await agentRequests(appId)).length;
    // What DELETE does to the session first; the app row still reads as live to this request.
    await stub(appId).markDeleted();
    const r = await callJson("POST", "/message", {
      token: user.token,
      body: { message: "[scenario:build] too late", applicationId: appId },
    });
    expectProblem(r, 404, "not_found");
    expect((await agentRequests(appId)).length).toBe(before);
    const usage = await callJson<{ currentUsage: number }>("GET", "/message-limit", { token: user.token });
    expect(usage.body.currentUsage).toBe(1);
  });

  it("a database that never answers the run's history flush: done still arrives, and the next message runs once it is back", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    type Flushable = { flushNow: () => Promise<void> };
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      (instance as unknown as Flushable).flushNow = () => new Promise<void>(() => {});
    });
    // Without a bound on the wait for the flush, this stream would never reach `done`.
    const r = await runToDone("[scenario:refine] and the menu?", {
      token: user.token,
      applicationId: appId,
      timeoutMs: 15_000,
    });
    expect(names(r).at(-1)).toBe("done");
    expect(r.events.some((e) => e.event === "error")).toBe(false);
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      delete (instance as unknown as Partial<Flushable>).flushNow;
    });
    expect(await runDurableObjectAlarm(stub(appId))).toBe(true);
    const app = await callJson<{ runStatus: string }>("GET", `/apps/${appId}`, { token: user.token });
    expect(app.body.runStatus).toBe("idle");
    const next = await runToDone("[scenario:refine] and now?", { token: user.token, applicationId: appId });
    expect(names(next).at(-1)).toBe("done");
  });

  /** Makes the session's start of the PublishWorkflow fail, or succeed and never answer. */
  async function fakePublish(appId: string, what: "throw" | "ignore") {
    type Publisher = { startPublishing: () => Promise<void>; realStartPublishing?: () => Promise<void> };
    await runInDurableObject(stub(appId), (instance: AppSession) => {
      const p = instance as unknown as Publisher;
      p.realStartPublishing = p.startPublishing;
      p.startPublishing = async () => {
        if (what === "throw") throw new Error("workflows unavailable");
      };
    });
    return () =>
      runInDurableObject(stub(appId), (instance: AppSession) => {
        const p = instance as unknown as Publisher;
        p.startPublishing = p.realStartPublishing!;
      });
  }

  const publishFailure = (r: { events: { json?: unknown }[] }) =>
    r.events
      .map(
        (e) =>
          (e.json as { message?: { kind?: string }; metadata?: { type?: string; step?: string } })?.metadata,
      )
      .find((m) => m?.type === "publish_failed");

  it("the publishing step cannot be started: publish_failed at step start, then done", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const restore = await fakePublish(appId, "throw");
    const r = await runToDone("[scenario:build] x", { token: user.token, applicationId: appId });
    await restore();
    expect(names(r).at(-1)).toBe("done");
    expect(publishFailure(r)).toMatchObject({ type: "publish_failed", step: "start" });
    await expectIdleAndReusable(user, appId);
  });

  it("the publishing step never answers: the alarm ends the run with publish_failed at step wait, then done", async () => {
    const user = await createUser();
    const appId = await appWithSession(user);
    const restore = await fakePublish(appId, "ignore");
    const res = await sendMessage("[scenario:build] x", { token: user.token, applicationId: appId });
    expect(res.status).toBe(200);
    // The run waits for the publishing step's first outcome; make that wait older than allowed.
    let status = "";
    const until = Date.now() + 10_000;
    while (status !== "publishing" && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      status = await runInDurableObject(stub(appId), (_i: AppSession, state) => {
        const row = state.storage.sql
          .exec<{ status: string }>("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1")
          .one();
        if (row.status === "publishing") {
          state.storage.sql.exec(
            "UPDATE runs SET last_byte_at = ? WHERE status = 'publishing'",
            Date.now() - 11 * 60_000,
          );
        }
        return row.status;
      });
    }
    expect(status).toBe("publishing");
    expect(await runDurableObjectAlarm(stub(appId))).toBe(true);
    const r = await readSse(res, { until: isDone });
    await restore();
    expect(names(r).at(-1)).toBe("done");
    expect(publishFailure(r)).toMatchObject({ type: "publish_failed", step: "wait" });
    await expectIdleAndReusable(user, appId);
  });
});
