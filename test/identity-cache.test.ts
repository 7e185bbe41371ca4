import { afterAll, describe, expect, it } from "vitest";
import { actingFor } from "../src/context";
import { openDb } from "../src/db/client";
import { userProfiles } from "../src/db/schema";
import { AppError } from "../src/errors";
import type { MeResponse } from "../src/routes/identity/me";
import { getProfile } from "../src/services/identity/profile";
import { call, callJson, expectProblem } from "./helpers/api";
import { config } from "./helpers/env";
import { names, runToDone } from "./helpers/generation";
import { authUser, callsAbout, contextWith, failNext, holdCalls } from "./helpers/identity";
import { eventually } from "./helpers/publish";
import { createUser, type TestUser } from "./helpers/users";

const handle = openDb(config);
afterAll(() => handle.end());

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** A cached profile that says "employee", fetched `hours` ago; Stack then fails every refresh. */
async function cachedEmployee(hours: number): Promise<TestUser> {
  const u = await createUser({ displayName: "Now Ordinary" });
  await handle.db.insert(userProfiles).values({
    userId: u.id,
    email: u.email,
    displayName: "Cached Name",
    githubLogin: "cached-login",
    isEmployee: true,
    fetchedAt: hoursAgo(hours),
  });
  await failNext("stack", `GET /api/v1/users/${u.id}`, 50);
  return u;
}

const adminCall = (u: TestUser) => callJson("GET", "/admin/users/dev-user/message-limit", { token: u.token });

describe("privileges from a cached profile expire", () => {
  it("a profile cached 25 h ago that cannot be refreshed grants no employee privilege", async () => {
    const u = await cachedEmployee(25);
    expectProblem(await adminCall(u), 403, "forbidden");
    const r = await callJson<MeResponse>("GET", "/me", { token: u.token });
    // The rest of the profile still answers from the cache.
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      displayName: "Cached Name",
      githubUsername: "cached-login",
      isNeonEmployee: false,
    });
    const e = await callJson("GET", "/auth/is-neon-employee", { token: u.token });
    expect(e.body).toEqual({ isNeonEmployee: false });
  });

  it("a profile cached 23 h ago still grants them while Stack is down", async () => {
    const u = await cachedEmployee(23);
    expect((await adminCall(u)).status).toBe(200);
  });

  it("no debug events for an expired cached employee; debug events within the day", async () => {
    const expired = await cachedEmployee(25);
    const r = await runToDone("[scenario:malformed then=cut] a thing", { token: expired.token });
    expect(names(r)).toContain("done");
    expect(names(r)).not.toContain("debug");
    const recent = await cachedEmployee(2);
    const r2 = await runToDone("[scenario:malformed then=cut] a thing", { token: recent.token });
    expect(names(r2)).toContain("debug");
  });
});

describe("concurrent first requests of a new user", () => {
  it("fetch its profile from Stack once", async () => {
    const u = await createUser({ displayName: "Only Once" });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => callJson<MeResponse>("GET", "/me", { token: u.token })),
    );
    for (const a of answers) expect(a.body).toMatchObject({ id: u.id, displayName: "Only Once" });
    expect(await callsAbout("stack", `GET /api/v1/users/${u.id}`)).toBe(1);
    expect(await callsAbout("stack", `/connected-accounts/${u.id}/`)).toBe(1);
    expect(await callsAbout("github", `/members/${u.github!.login}`)).toBe(1);
  });

  it("share one failure when Stack is down: one call, every caller gets the 503", async () => {
    const u = await createUser();
    const userCall = `GET /api/v1/users/${u.id}`;
    await failNext("stack", userCall, 1);
    // The first request's call to Stack gets no answer until the others have joined its fetch, so
    // the overlap is made here rather than left to how soon each caller reaches the service.
    const release = await holdCalls("stack", userCall);
    const first = call("GET", "/me", { token: u.token });
    await eventually("the first request's call to Stack", async () =>
      (await callsAbout("stack", userCall)) === 1 ? true : null,
    );
    // Five more callers in the same isolate (the tests share the Worker's modules), each with its
    // own context and outside the first request's: they decide to wait for its fetch at once.
    const others = Array.from({ length: 5 }, () =>
      getProfile({ ctx: actingFor(contextWith({}), authUser(u)) }).then(
        () => "answered",
        (err: unknown) => err,
      ),
    );
    await release();
    const answer = await first;
    expect(answer.status).toBe(503);
    await answer.body?.cancel();
    for (const outcome of await Promise.all(others)) {
      expect(outcome).toBeInstanceOf(AppError);
      expect(outcome).toMatchObject({ code: "upstream_unavailable", status: 503 });
    }
    expect(await callsAbout("stack", userCall)).toBe(1);
    // The next request fetches again and answers.
    expect((await call("GET", "/me", { token: u.token })).status).toBe(200);
  });
});
