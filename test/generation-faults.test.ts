import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import type { AppSession } from "../src/session/app-session";
import { call, callJson, expectProblem } from "./helpers/api";
import { config, standInUrl } from "./helpers/env";
import {
  agentRequests,
  dataOf,
  expectEndedAndReusable,
  kindsOf,
  names,
  runToDone,
  sendMessage,
} from "./helpers/generation";
import { isDone, readSse } from "./helpers/sse";
import { createEmployee, createUser } from "./helpers/users";

const stub = (appId: string) => sessionStub(env, appId);

const errorOf = (r: { events: { event: string; json: unknown }[] }) =>
  r.events.find((e) => e.event === "error")?.json as { code: string; message: string } | undefined;

async function usage(token: string): Promise<number> {
  const r = await callJson<{ currentUsage: number }>("GET", "/message-limit", { token });
  return r.body.currentUsage;
}

describe("agent faults end every run with one clear error and one done", () => {
  it("agent RuntimeError is forwarded as a message, then error agent_error, then done", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:runtime_error] build it", { token: user.token });
    expect(names(r).slice(-3)).toEqual(["message", "error", "done"]);
    expect(kindsOf(r).at(-1)).toBe("RuntimeError");
    expect(errorOf(r)).toMatchObject({ code: "agent_error", appId: r.appId });
    expect(names(r).filter((n) => n === "done")).toHaveLength(1);
    const history = await callJson<{ messageKind: string }[]>("GET", `/apps/${r.appId}/history`, {
      token: user.token,
    });
    expect(history.body.filter((h) => h.messageKind === "RuntimeError").length).toBeGreaterThanOrEqual(2);
  });

  it("agent stream cut before idle ends the run with agent_protocol and keeps the previous agentState", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a shop", { token: user.token });
    const r = await runToDone("[scenario:cut] go on", { token: user.token, applicationId: first.appId });
    expect(names(r).slice(-2)).toEqual(["error", "done"]);
    expect(errorOf(r)?.code).toBe("agent_protocol");
    await runToDone("[scenario:refine] again", { token: user.token, applicationId: first.appId });
    const reqs = await agentRequests(first.appId);
    expect(reqs[2]!.body.agentState).toEqual(reqs[1]!.body.agentState);
    expect(reqs[2]!.body.agentState).toMatchObject({ fsm_state: null });
  });

  it("a malformed line followed by a cut ends with agent_protocol", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:malformed then=cut] x", { token: user.token });
    expect(errorOf(r)?.code).toBe("agent_protocol");
  });

  it("agent answering 503 before any byte ends with agent_unavailable and refunds the message", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:http_error status=503] x", { token: user.token });
    expect(errorOf(r)?.code).toBe("agent_unavailable");
    expect(await usage(user.token)).toBe(0);
  });

  it("agent dropping the connection before answering ends with agent_unavailable in our words, not the network's", async () => {
    // What fetch says about this drop: it must reach the log, never the user.
    const upstream = await fetch(`${standInUrl("agent")}/message`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${config.AGENT_API_SECRET_AUTH}`,
      },
      body: JSON.stringify({
        allMessages: [{ role: "user", content: "[scenario:reset] x" }],
        applicationId: crypto.randomUUID(),
        traceId: "trace",
        agentState: null,
        allFiles: null,
        templateId: "trpc_agent",
        settings: {},
      }),
    }).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(upstream).toEqual(expect.any(String));
    const user = await createUser();
    const r = await runToDone("[scenario:reset] x", { token: user.token });
    expect(errorOf(r)).toMatchObject({
      code: "agent_unavailable",
      message: "The agent could not be reached",
    });
    expect(errorOf(r)?.message).not.toContain(upstream!);
    expect(names(r).slice(-2)).toEqual(["error", "done"]);
    expect(await usage(user.token)).toBe(0);
  });

  it("agent answering 500 with a body: the error names the status, not the body", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:http_error status=500] x", { token: user.token });
    expect(errorOf(r)).toMatchObject({ code: "agent_unavailable", message: "The agent answered 500" });
  });

  it("the legacy '# ERROR GENERATING DIFF' text ends with agent_error and makes no version", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:legacy_error_diff] x", { token: user.token });
    expect(errorOf(r)?.code).toBe("agent_error");
    const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${r.appId}`, {
      token: user.token,
    });
    expect(app.body.snapshotVersion).toBeNull();
  });

  it("a diff with ../ or .git/ paths is refused whole: patch_failed and nothing changes", async () => {
    const user = await createUser();
    for (const which of ["dotdot", "git", "absolute"]) {
      const r = await runToDone(`[scenario:traversal which=${which}] x`, { token: user.token });
      expect(errorOf(r)?.code).toBe("patch_failed");
      const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${r.appId}`, {
        token: user.token,
      });
      expect(app.body.snapshotVersion).toBeNull();
      expectProblem(
        await callJson("GET", `/apps/${r.appId}/read-url`, { token: user.token }),
        404,
        "no_snapshot",
      );
    }
  });

  it("a silent agent: readers still get `: keepalive` comments while the run waits", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a wiki", { token: user.token });
    await runInDurableObject(stub(first.appId), (instance: AppSession) => {
      instance.keepaliveMs = 100;
    });
    const r = await runToDone("[scenario:silence ms=700] go", {
      token: user.token,
      applicationId: first.appId,
    });
    expect(r.comments.filter((c) => c === "keepalive").length).toBeGreaterThanOrEqual(3);
    expect(errorOf(r)?.code).toBe("agent_protocol");
  });

  it("agent silent beyond AGENT_IDLE_TIMEOUT_S ends the run with agent_timeout", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a blog", { token: user.token });
    await runInDurableObject(stub(first.appId), (instance: AppSession) => {
      instance.idleTimeoutMs = 400;
    });
    const r = await runToDone("[scenario:silence ms=60000] go", {
      token: user.token,
      applicationId: first.appId,
    });
    await expectEndedAndReusable(user, first.appId, r, "agent_timeout");
  });
});

describe("run lock, limit, idempotency, cancel", () => {
  it("409 run_in_progress on a concurrent run, with eventsUrl; cancel ends it with cancelled then done", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a game", { token: user.token });
    const res = await sendMessage("[scenario:silence ms=60000] wait", {
      token: user.token,
      applicationId: first.appId,
    });
    expect(res.status).toBe(200);
    const second = await callJson("POST", "/message", {
      token: user.token,
      body: { message: "another", applicationId: first.appId },
    });
    expectProblem(second, 409, "run_in_progress");
    expect((second.body as { eventsUrl: string }).eventsUrl).toBe(`/apps/${first.appId}/events`);
    expect(await usage(user.token)).toBe(2);

    const cancel = await callJson("POST", `/apps/${first.appId}/cancel`, { token: user.token });
    expect(cancel.status).toBe(202);
    expect(cancel.body).toEqual({ cancelled: true });
    const r = await readSse(res, { until: isDone });
    const again = await callJson("POST", `/apps/${first.appId}/cancel`, { token: user.token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ cancelled: false });
    await expectEndedAndReusable(user, first.appId, r, "cancelled");
  });

  it("limit race: 8 concurrent messages against a limit of 3 → exactly 3 runs, 5 × 429", async () => {
    const user = await createUser();
    const staff = await createEmployee();
    const put = await callJson("PUT", `/admin/users/${user.id}/message-limit`, {
      token: staff.token,
      body: { dailyLimit: 3 },
    });
    expect(put.status).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => sendMessage("[scenario:refine] race", { token: user.token })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    for (const r of results) {
      if (r.status === 200) await readSse(r, { until: isDone });
      else {
        expect(r.headers.get("x-dailylimit-remaining")).toBe("0");
        expect(((await r.json()) as { code: string }).code).toBe("daily_message_limit_reached");
      }
    }
    expect(await usage(user.token)).toBe(3);
    const apps = await callJson<{ pagination: { total: number } }>("GET", "/apps", { token: user.token });
    expect(apps.body.pagination.total).toBe(3);
  });

  it("idempotent replay: the same Idempotency-Key attaches to the first run, counts once, calls the agent once", async () => {
    const user = await createUser();
    const key = crypto.randomUUID();
    const first = await runToDone("[scenario:refine] idem", { token: user.token, idempotencyKey: key });
    const replay = await runToDone("[scenario:refine] idem", { token: user.token, idempotencyKey: key });
    expect(replay.appId).toBe(first.appId);
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(replay.events.map((e) => e.data)).toEqual(first.events.map((e) => e.data));
    expect(await usage(user.token)).toBe(1);
    expect(await agentRequests(first.appId)).toHaveLength(1);
    const reused = await callJson("POST", "/message", {
      token: user.token,
      body: { message: "different" },
      headers: { "idempotency-key": key },
    });
    expectProblem(reused, 409, "idempotency_key_reused");
    const tooLong = await callJson("POST", "/message", {
      token: user.token,
      body: { message: "x" },
      headers: { "idempotency-key": "k".repeat(256) },
    });
    expectProblem(tooLong, 400, "validation_failed");
  });
});

describe("watchdog", () => {
  it("a run whose reader was lost (eviction) is ended by the alarm with run_interrupted then done", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a todo", { token: user.token });
    const s = stub(first.appId);
    // What an eviction leaves behind: a run marked running in storage, and no reader in memory.
    await runInDurableObject(s, (_instance: AppSession, state) => {
      state.storage.sql.exec(
        "INSERT INTO runs (id, trace_id, status, user_id, started_at, last_byte_at) VALUES ('lost-run', 'app-x.req-lost', 'running', ?, ?, ?)",
        user.id,
        Date.now(),
        Date.now(),
      );
    });
    expect(await runDurableObjectAlarm(s)).toBe(true);
    const res = await call("GET", `/apps/${first.appId}/events?after=0`, { token: user.token });
    const r = await readSse(res);
    expect(dataOf(r.events.at(-2)!)).toMatchObject({ code: "run_interrupted" });
    await expectEndedAndReusable(user, first.appId, r, "run_interrupted");
  });
});
