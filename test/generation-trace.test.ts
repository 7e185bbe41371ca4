import { describe, expect, it } from "vitest";
import { callJson, expectProblem } from "./helpers/api";
import { runToDone } from "./helpers/generation";
import { createUser } from "./helpers/users";

// traceId rules (docs/decisions.md, Round 3).

const traceOf = (r: Awaited<ReturnType<typeof runToDone>>) =>
  (r.events.find((e) => e.event === "done")!.json as { traceId: string }).traceId;

describe("traceId", () => {
  it("a new app ignores any traceId, even a malformed one", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:refine] x", {
      token: user.token,
      body: { traceId: "not a trace id" },
    });
    expect(traceOf(r)).toMatch(new RegExp(`^app-${r.appId}\\.req-`));
    const other = `app-${crypto.randomUUID()}.req-mine`;
    const r2 = await runToDone("[scenario:refine] y", { token: user.token, body: { traceId: other } });
    expect(traceOf(r2)).toMatch(new RegExp(`^app-${r2.appId}\\.req-`));
  });

  it("an existing app keeps one naming it, replaces one naming another app, refuses a malformed one", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] x", { token: user.token });
    const mine = `app-${first.appId}.req-client-1`;
    const kept = await runToDone("[scenario:refine] a", {
      token: user.token,
      applicationId: first.appId,
      body: { traceId: mine },
    });
    expect(traceOf(kept)).toBe(mine);
    const foreign = `app-${crypto.randomUUID()}.req-client-2`;
    const replaced = await runToDone("[scenario:refine] b", {
      token: user.token,
      applicationId: first.appId,
      body: { traceId: foreign },
    });
    expect(traceOf(replaced)).toMatch(new RegExp(`^app-${first.appId}\\.req-`));
    expect(traceOf(replaced)).not.toBe(foreign);
    for (const bad of [
      "nope",
      `app-${first.appId}.req-a\u0000b`,
      `app-${first.appId}.req-${"x".repeat(300)}`,
    ]) {
      const r = await callJson("POST", "/message", {
        token: user.token,
        body: { message: "c", applicationId: first.appId, traceId: bad },
      });
      expectProblem(r, 400, "validation_failed");
      expect((r.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["traceId"]);
    }
  });
});
