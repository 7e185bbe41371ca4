import { describe, expect, it } from "vitest";
import { getGitHubAccessToken } from "../src/clients/stack";
import { actingFor } from "../src/context";
import type { MeResponse } from "../src/routes/identity/me";
import { getProfile } from "../src/services/identity/profile";
import { callJson, expectProblem } from "./helpers/api";
import { config } from "./helpers/env";
import { authUser, callsAbout, contextWith, installApp, stackProject } from "./helpers/identity";
import { createUser, mintToken, type TestUser } from "./helpers/users";

// Stack's access-token call answers four known errors that all mean "no usable GitHub token for
// this user now": the user is answered as one without GitHub, never with a 503.

const me = (u: TestUser) => callJson<MeResponse>("GET", "/me", { token: u.token });
const createRepo = (token: string) =>
  callJson("POST", "/github/user/create-repo", {
    token,
    body: { repo: `r-${crypto.randomUUID().slice(0, 6)}` },
  });

describe("no usable GitHub token", () => {
  it("OAUTH_CONNECTION_NOT_CONNECTED_TO_USER: no login, the user routes answer github_not_connected", async () => {
    const u = await createUser({ github: false });
    expect((await me(u)).body).toMatchObject({ githubUsername: null, isNeonEmployee: false });
    expectProblem(await createRepo(u.token), 400, "github_not_connected");
  });

  it("OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE (token expired or revoked): no login, no 503", async () => {
    const u = await createUser({ github: { orgs: ["neondatabase"], revoked: true } });
    const r = await me(u);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ githubUsername: null, isNeonEmployee: false });
    expectProblem(await createRepo(u.token), 400, "github_not_connected");
  });

  it("OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE (only user:email granted): a login, but no repositories", async () => {
    const u = await createUser({ github: { scopes: ["user:email"] } });
    expect((await me(u)).body.githubUsername).toBe(u.github!.login);
    expectProblem(await createRepo(u.token), 400, "github_not_connected");
    // A user who granted `repo` creates one.
    const granted = await createUser({ github: { scopes: ["user:email", "repo"] } });
    expect((await createRepo(granted.token)).status).toBe(201);
  });

  it("OAUTH_PROVIDER_NOT_FOUND_OR_NOT_ENABLED: a project without GitHub sign-in answers no login", async () => {
    const u = await createUser({ displayName: "No GitHub Here" });
    const ctx = contextWith(await stackProject([]));
    try {
      expect(await getGitHubAccessToken(ctx.config, u.id, "repositories")).toBeNull();
      const p = await getProfile({ ctx: actingFor(ctx, authUser(u)) });
      expect(p).toMatchObject({ displayName: "No GitHub Here", githubLogin: null, isEmployee: false });
    } finally {
      ctx.close();
    }
  });

  it("USER_NOT_FOUND: a token of a user Stack does not know cannot act on GitHub", async () => {
    const id = `gone-${crypto.randomUUID()}`;
    expect(await getGitHubAccessToken(config, id, "identity")).toBeNull();
    expectProblem(await createRepo(await mintToken(id)), 400, "github_not_connected");
  });

  it("asks Stack for `repo` only where repositories are made", async () => {
    const u = await createUser({ github: { scopes: ["user:email"] } });
    expect(await getGitHubAccessToken(config, u.id, "identity")).toBe(u.github!.token);
    expect(await getGitHubAccessToken(config, u.id, "repositories")).toBeNull();
  });
});

describe("employee by GitHub org, checked with the App's installation", () => {
  it("a private member whose token has only user:email is an employee", async () => {
    const u = await createUser({ github: { orgs: ["neondatabase"], scopes: ["user:email"] } });
    expect((await me(u)).body.isNeonEmployee).toBe(true);
    expect(await callsAbout("github", `GET /orgs/neondatabase/members/${u.github!.login}`)).toBe(1);
  });

  it("a non-member is not, and neither is anyone when the App is not installed on the org", async () => {
    const outsider = await createUser({ github: { orgs: ["someone-else"] } });
    expect((await me(outsider)).body.isNeonEmployee).toBe(false);

    const org = `no-app-${crypto.randomUUID().slice(0, 8)}`;
    const member = await createUser({ github: { orgs: [org] } });
    const ctx = contextWith({ EMPLOYEE_GITHUB_ORG: org });
    try {
      expect(await getProfile({ ctx: actingFor(ctx, authUser(member)) })).toMatchObject({
        githubLogin: member.github!.login,
        isEmployee: false,
      });
      // Installed, the same check finds the member.
      await installApp(org);
      const other = await createUser({ github: { orgs: [org] } });
      expect((await getProfile({ ctx: actingFor(ctx, authUser(other)) })).isEmployee).toBe(true);
    } finally {
      ctx.close();
    }
  });
});
