import { describe, expect, it } from "vitest";
import { callJson, expectProblem } from "./helpers/api";
import { agentRequests, dataOf, kindsOf, names, runToDone } from "./helpers/generation";
import { createEmployee, createUser } from "./helpers/users";

describe("POST /message", () => {
  it("streams a clarifying question: retry, ids, agent messages without state, then done", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:refine] something with data", { token: user.token });
    expect(r.res.headers.get("content-type")).toContain("text/event-stream");
    expect(r.res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(r.res.headers.get("x-dailylimit-usage")).toBe("1");
    expect(r.retry).toBe(2000);
    expect(names(r).at(-1)).toBe("done");
    expect(kindsOf(r)).toContain("RefinementRequest");
    const ids = r.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    for (const e of r.events.filter((x) => x.event === "message")) {
      const d = dataOf<{
        appId: string;
        traceId: string;
        techStack: string;
        createdAt: string;
        message: Record<string, unknown>;
      }>(e);
      expect(d.appId).toBe(r.appId);
      expect(d.traceId).toMatch(new RegExp(`^app-${r.appId}\\.req-`));
      expect(d.techStack).toBe("trpc_agent");
      expect(d.createdAt).toMatch(/Z$/);
      expect(d.message).not.toHaveProperty("agentState");
      expect(d.message).not.toHaveProperty("unifiedDiff");
    }
    const done = dataOf(r.events.at(-1)!);
    expect(done).toMatchObject({ done: true, appId: r.appId });

    const app = await callJson<{ runStatus: string; snapshotVersion: number | null }>(
      "GET",
      `/apps/${r.appId}`,
      {
        token: user.token,
      },
    );
    expect(app.body.runStatus).toBe("idle");
    expect(app.body.snapshotVersion).toBeNull();
    const history = await callJson<{ kind: string; messageKind: string; prompt: string }[]>(
      "GET",
      `/apps/${r.appId}/history`,
      { token: user.token },
    );
    expect(history.body[0]).toMatchObject({ kind: "user", messageKind: "UserMessage" });
    expect(history.body.map((h) => h.messageKind)).toContain("RefinementRequest");
  });

  it("the agent receives oldest-first history, the exact previous agentState and the secret", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] first question", { token: user.token });
    await runToDone("[scenario:refine] second answer", { token: user.token, applicationId: first.appId });
    await runToDone("[scenario:refine] third answer", { token: user.token, applicationId: first.appId });
    const reqs = await agentRequests(first.appId);
    expect(reqs).toHaveLength(3);
    const last = reqs[2]!;
    expect(last.headers.authorization).toBe("Bearer test-agent-secret");
    expect(last.body.allMessages.map((m) => `${m.role}:${m.kind ?? ""}`)).toEqual([
      "user:",
      "assistant:RefinementRequest",
      "user:",
      "assistant:RefinementRequest",
      "user:",
    ]);
    expect(last.body.allMessages[0]!.content).toContain("first question");
    expect(last.body.allMessages[4]!.content).toContain("third answer");
    expect(last.body.traceId).toMatch(new RegExp(`^app-${first.appId}\\.req-[0-9a-f-]{36}$`));
    expect(reqs[0]!.body.agentState).toBeNull();
    // Integers beyond 2^53 come back digit for digit: the state is kept as raw JSON text.
    expect(last.raw).toMatch(/"big":12345678901234567890[,}]/);
    expect(last.raw).toMatch(/"neg":-12345678901234567890[,}]/);
    expect(last.body.agentState).toMatchObject({ fsm_state: null });
  });

  it("validation: empty message 400, long message 413, bad clientSource 400, foreign app 404", async () => {
    const user = await createUser();
    const other = await createUser();
    expectProblem(
      await callJson("POST", "/message", { token: user.token, body: { message: "" } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await callJson("POST", "/message", { token: user.token, body: { message: "x".repeat(32_001) } }),
      413,
      "payload_too_large",
    );
    expectProblem(
      await callJson("POST", "/message", {
        token: user.token,
        body: { message: "hi", settings: { a: "x".repeat(17_000) } },
      }),
      413,
      "payload_too_large",
    );
    expectProblem(
      await callJson("POST", "/message", {
        token: user.token,
        body: { message: "hi", clientSource: "x".repeat(33) },
      }),
      400,
      "validation_failed",
    );
    const mine = await runToDone("[scenario:refine] mine", { token: other.token });
    expectProblem(
      await callJson("POST", "/message", {
        token: user.token,
        body: { message: "hi", applicationId: mine.appId },
      }),
      404,
      "not_found",
    );
    expectProblem(await callJson("POST", "/message", { body: { message: "hi" } }), 401, "unauthorized");
    const usage = await callJson<{ currentUsage: number }>("GET", "/message-limit", { token: user.token });
    expect(usage.body.currentUsage).toBe(0);
  });

  it("employees get debug events (without ids) for skipped malformed lines; others do not", async () => {
    const staff = await createEmployee();
    const r = await runToDone("[scenario:malformed then=cut] a thing", { token: staff.token });
    expect(names(r)).toContain("debug");
    expect(r.events.find((e) => e.event === "debug")!.id).toBeUndefined();
    const user = await createUser();
    const r2 = await runToDone("[scenario:malformed then=cut] a thing", { token: user.token });
    expect(names(r2)).not.toContain("debug");
    const ids = r2.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
  });
});
