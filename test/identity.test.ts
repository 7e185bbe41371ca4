import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { actingFor } from "../src/context";
import { userProfiles } from "../src/db/schema";
import { AppError } from "../src/errors";
import type { IsEmployeeResponse } from "../src/routes/identity/is-employee";
import type { MeResponse } from "../src/routes/identity/me";
import { getProfile } from "../src/services/identity/profile";
import { callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { standInUrl } from "./helpers/env";
import { authUser, callsAbout, contextWith, failNext, installApp } from "./helpers/identity";
import { createEmployee, createUser, mintToken, type TestUser } from "./helpers/users";

const db = useTestDb();

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

async function storeProfile(user: TestUser, fields: Partial<typeof userProfiles.$inferInsert>) {
  await db.insert(userProfiles).values({ userId: user.id, ...fields });
}

const me = (u: TestUser) => callJson<MeResponse>("GET", "/me", { token: u.token });
const employee = (u: TestUser) =>
  callJson<IsEmployeeResponse>("GET", "/auth/is-neon-employee", { token: u.token });

describe("GET /me", () => {
  it("answers the profile from Stack with the GitHub login", async () => {
    const u = await createUser({ displayName: "Ada Lovelace", github: { login: "ada-gh" } });
    const r = await me(u);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: u.id,
      email: u.email,
      displayName: "Ada Lovelace",
      githubUsername: "ada-gh",
      isNeonEmployee: false,
    });
  });

  it("githubUsername is null for a user without a GitHub connection", async () => {
    const u = await createUser({ github: false });
    const r = await me(u);
    expect(r.status).toBe(200);
    expect(r.body.githubUsername).toBeNull();
  });

  it("is cached: a second call makes no call to Stack or GitHub and keeps the first answer", async () => {
    const u = await createUser({ displayName: "First Name" });
    expect((await me(u)).body.displayName).toBe("First Name");
    const stackCalls = await callsAbout("stack", u.id);
    expect(stackCalls).toBeGreaterThan(0);
    // Stack changes; within the hour the cached profile still answers.
    await fetch(`${standInUrl("stack")}/__dev/users`, {
      method: "POST",
      body: JSON.stringify({ id: u.id, email: u.email, displayName: "Second Name", github: u.github }),
    });
    expect((await me(u)).body.displayName).toBe("First Name");
    expect(await callsAbout("stack", u.id)).toBe(stackCalls);
    const [row] = await db.select().from(userProfiles).where(eq(userProfiles.userId, u.id));
    expect(row).toMatchObject({ displayName: "First Name", githubLogin: u.github!.login, isEmployee: false });
  });

  it("a fresh profile row in Postgres answers without calling Stack", async () => {
    const u = await createUser();
    await storeProfile(u, {
      email: u.email,
      displayName: "From Postgres",
      githubLogin: "pg-login",
      isEmployee: true,
    });
    const r = await me(u);
    expect(r.body).toMatchObject({
      displayName: "From Postgres",
      githubUsername: "pg-login",
      isNeonEmployee: true,
    });
    expect(await callsAbout("stack", u.id)).toBe(0);
  });

  it("a profile older than an hour is fetched again and stored", async () => {
    const u = await createUser({ displayName: "Current Name" });
    await storeProfile(u, { displayName: "Old Name", fetchedAt: hoursAgo(2) });
    const r = await me(u);
    expect(r.body.displayName).toBe("Current Name");
    const [row] = await db.select().from(userProfiles).where(eq(userProfiles.userId, u.id));
    expect(row?.displayName).toBe("Current Name");
    expect(row!.fetchedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("Stack down with a stale cached profile still answers from the cache", async () => {
    const u = await createUser({ displayName: "Current Name" });
    await storeProfile(u, {
      displayName: "Cached Name",
      githubLogin: "cached-login",
      fetchedAt: hoursAgo(3),
    });
    await failNext("stack", `GET /api/v1/users/${u.id}`);
    const r = await me(u);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ displayName: "Cached Name", githubUsername: "cached-login" });
  });

  it("Stack down without a cached profile is 503 upstream_unavailable", async () => {
    const u = await createUser();
    await failNext("stack", `GET /api/v1/users/${u.id}`);
    expectProblem(await me(u), 503, "upstream_unavailable");
    // Nothing half-fetched was cached: the next call fetches and answers.
    expect((await me(u)).status).toBe(200);
  });

  it("Stack refusing the GitHub token call (500) is 503 upstream_unavailable", async () => {
    const u = await createUser();
    await failNext("stack", `POST /api/v1/connected-accounts/${u.id}/github/access-token`, 1, 500);
    expectProblem(await me(u), 503, "upstream_unavailable");
  });

  it("a valid token of a user Stack no longer knows is 401", async () => {
    const token = await mintToken(`gone-${crypto.randomUUID()}`);
    expectProblem(await callJson("GET", "/me", { token }), 401, "unauthorized");
  });

  it("needs a valid token", async () => {
    expectProblem(await callJson("GET", "/me"), 401, "unauthorized");
    expectProblem(await callJson("GET", "/me", { token: "bad" }), 401, "unauthorized");
  });
});

describe("GET /auth/is-neon-employee", () => {
  it("true for a verified e-mail in an employee domain", async () => {
    const u = await createEmployee();
    expect((await employee(u)).body).toEqual({ isNeonEmployee: true });
    expect((await me(u)).body.isNeonEmployee).toBe(true);
  });

  it("true for a member of the employee GitHub org", async () => {
    const u = await createUser({ github: { orgs: ["neondatabase"] } });
    expect((await employee(u)).body).toEqual({ isNeonEmployee: true });
    expect((await me(u)).body.isNeonEmployee).toBe(true);
  });

  it("false for an ordinary user, a member of another org, and an unverified employee address", async () => {
    const plain = await createUser();
    const otherOrg = await createUser({ github: { orgs: ["someone-else"] } });
    const unverified = await createUser({
      email: `x-${crypto.randomUUID().slice(0, 6)}@neon.tech`,
      emailVerified: false,
    });
    for (const u of [plain, otherOrg, unverified]) {
      expect((await employee(u)).body).toEqual({ isNeonEmployee: false });
    }
  });

  it("a look-alike domain is not an employee domain", async () => {
    for (const email of ["a@evil-neon.tech", "a@neon.tech.evil.example", "a@sub.neon.tech"]) {
      const u = await createUser({ email });
      expect((await employee(u)).body.isNeonEmployee).toBe(false);
    }
  });

  it("needs a valid token", async () => {
    expectProblem(await callJson("GET", "/auth/is-neon-employee"), 401, "unauthorized");
    expectProblem(await callJson("GET", "/auth/is-neon-employee", { token: "a.b.c" }), 401, "unauthorized");
  });
});

describe("getProfile with GitHub faults", () => {
  // A per-test org (the App installed on it) keeps the injected GitHub fault away from every
  // other test's calls.
  async function contextWithOrg(org: string) {
    await installApp(org);
    return contextWith({ EMPLOYEE_GITHUB_ORG: org });
  }

  it("GitHub down (503 on the org membership) is upstream_unavailable", async () => {
    const org = `org-${crypto.randomUUID().slice(0, 8)}`;
    const u = await createUser({ github: { orgs: [org] } });
    const ctx = await contextWithOrg(org);
    try {
      await failNext("github", `GET /orgs/${org}/members/*`, 2);
      const err = await getProfile({ ctx: actingFor(ctx, authUser(u)) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("upstream_unavailable");
      // Once GitHub is back, membership of the org makes an employee.
      expect((await getProfile({ ctx: actingFor(ctx, authUser(u)) })).isEmployee).toBe(true);
    } finally {
      ctx.close();
    }
  });

  it("GitHub down with a stale cached profile answers from the cache", async () => {
    const org = `org-${crypto.randomUUID().slice(0, 8)}`;
    const u = await createUser({ github: { orgs: [org] } });
    await storeProfile(u, { githubLogin: "stale-login", isEmployee: false, fetchedAt: hoursAgo(2) });
    const ctx = await contextWithOrg(org);
    try {
      await failNext("github", `GET /orgs/${org}/members/*`, 2);
      const p = await getProfile({ ctx: actingFor(ctx, authUser(u)) });
      expect(p).toMatchObject({ githubLogin: "stale-login", isEmployee: false });
    } finally {
      ctx.close();
    }
  });
});
