import { describe, expect, it } from "vitest";
import { appJwt } from "../../src/clients/github-app-auth";
import { config, standInUrl } from "../helpers/env";
import { installApp, stackProject } from "../helpers/identity";
import { createUser } from "../helpers/users";

// The Stack stand-in against what Stack itself does (stack-auth/stack-auth): the known errors of
// `packages/stack-shared/src/known-errors.tsx` — JSON `{ code, details?, error }`, header
// `X-Stack-Known-Error`, each with the status its class declares — and the access-token handler
// `apps/backend/src/app/api/latest/connected-accounts/[user_id]/[provider_id]/access-token/crud.tsx`.

const server = (project = { id: config.STACK_PROJECT_ID, key: config.STACK_SECRET_SERVER_KEY ?? "" }) => ({
  "x-stack-access-type": "server",
  "x-stack-project-id": project.id,
  "x-stack-secret-server-key": project.key,
  "content-type": "application/json",
});

async function accessToken(userId: string, body: unknown = {}, headers: Record<string, string> = server()) {
  const res = await fetch(`${standInUrl("stack")}/api/v1/connected-accounts/${userId}/github/access-token`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

/** A Stack known error: status, code in body and header, human text in `error`, nothing else. */
function expectKnown(r: { res: Response; body: Record<string, unknown> }, status: number, code: string) {
  expect(r.res.status).toBe(status);
  expect(r.res.headers.get("x-stack-known-error")).toBe(code);
  expect(r.res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(r.body.code).toBe(code);
  expect(typeof r.body.error).toBe("string");
  expect(Object.keys(r.body).every((k) => ["code", "error", "details"].includes(k))).toBe(true);
}

async function registerRaw(github: Record<string, unknown>) {
  const id = crypto.randomUUID();
  const res = await fetch(`${standInUrl("stack")}/__dev/users`, {
    method: "POST",
    body: JSON.stringify({
      id,
      email: `${id.slice(0, 8)}@example.com`,
      github: { login: `gh-${id.slice(0, 8)}`, token: `gho_${id.replaceAll("-", "")}`, ...github },
    }),
  });
  expect(res.status).toBe(201);
  return id;
}

describe("Stack: POST /api/v1/connected-accounts/{user_id}/github/access-token", () => {
  it("answers 201 { access_token } for a connected user", async () => {
    const u = await createUser();
    const r = await accessToken(u.id);
    expect(r.res.status).toBe(201);
    expect(r.body).toEqual({ access_token: u.github!.token });
  });

  it("OAUTH_CONNECTION_NOT_CONNECTED_TO_USER (400) for a user without GitHub", async () => {
    const u = await createUser({ github: false });
    expectKnown(await accessToken(u.id), 400, "OAUTH_CONNECTION_NOT_CONNECTED_TO_USER");
  });

  it("USER_NOT_FOUND (404, as Stack's UserNotFound declares) for an unknown user", async () => {
    expectKnown(await accessToken(`gone-${crypto.randomUUID()}`), 404, "USER_NOT_FOUND");
  });

  it("OAUTH_PROVIDER_NOT_FOUND_OR_NOT_ENABLED (400) in a project without GitHub sign-in", async () => {
    const u = await createUser();
    const p = await stackProject([]);
    const headers = server({ id: p.STACK_PROJECT_ID!, key: p.STACK_SECRET_SERVER_KEY! });
    expectKnown(await accessToken(u.id, {}, headers), 400, "OAUTH_PROVIDER_NOT_FOUND_OR_NOT_ENABLED");
  });

  it("OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE (400) for a token GitHub no longer accepts", async () => {
    const u = await createUser({ github: { revoked: true } });
    expectKnown(await accessToken(u.id), 400, "OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE");
  });

  it("`scope`: a token carries the scopes granted; asking for more is OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE", async () => {
    const u = await createUser({ github: { scopes: ["user:email"] } });
    for (const scope of ["repo", "read:org", "user:email repo"]) {
      expectKnown(await accessToken(u.id, { scope }), 400, "OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE");
    }
    expect((await accessToken(u.id, { scope: "user:email" })).res.status).toBe(201);
    const full = await createUser({ github: { scopes: ["user:email", "repo"] } });
    expect((await accessToken(full.id, { scope: " repo  user:email " })).res.status).toBe(201);
  });

  it("Stack's GitHub provider grants only user:email by default: no repo, no read:org", async () => {
    const id = await registerRaw({});
    expect((await accessToken(id)).res.status).toBe(201);
    expectKnown(
      await accessToken(id, { scope: "repo" }),
      400,
      "OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE",
    );
    expectKnown(
      await accessToken(id, { scope: "read:org" }),
      400,
      "OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE",
    );
  });

  it("refuses a body that is not JSON or a scope that is not a string", async () => {
    const u = await createUser();
    expectKnown(await accessToken(u.id, "{not json"), 400, "BODY_PARSING_ERROR");
    const r = await accessToken(u.id, { scope: ["repo"] });
    expectKnown(r, 400, "SCHEMA_ERROR");
    expect(r.body.details).toEqual({ message: expect.any(String) });
  });
});

describe("Stack: server authentication", () => {
  it("needs x-stack-access-type, a known project and its secret server key", async () => {
    const u = await createUser();
    const { "x-stack-access-type": _, ...noType } = server();
    expectKnown(await accessToken(u.id, {}, noType), 400, "ACCESS_TYPE_REQUIRED");
    const unknown = await accessToken(u.id, {}, { ...server(), "x-stack-project-id": "no-such-project" });
    expectKnown(unknown, 400, "CURRENT_PROJECT_NOT_FOUND");
    expect(unknown.body.details).toEqual({ project_id: "no-such-project" });
    const badKey = await accessToken(u.id, {}, { ...server(), "x-stack-secret-server-key": "wrong" });
    expectKnown(badKey, 401, "INVALID_SECRET_SERVER_KEY");
    expect(badKey.body.details).toEqual({ project_id: config.STACK_PROJECT_ID });
  });

  it("GET /api/v1/users/{id} of an unknown user is USER_NOT_FOUND (404)", async () => {
    const res = await fetch(`${standInUrl("stack")}/api/v1/users/gone-${crypto.randomUUID()}`, {
      headers: server(),
    });
    expectKnown({ res, body: (await res.json()) as Record<string, unknown> }, 404, "USER_NOT_FOUND");
  });
});

describe("GitHub: GET /orgs/{org}/members/{username} (the employee check)", () => {
  /** An installation token of the App on `org`, fetched the way GitHub hands them out. */
  async function appToken(org: string): Promise<string> {
    await installApp(org);
    const jwt = await appJwt(config.GITHUB_APP_ID!, config.GITHUB_APP_PRIVATE_KEY!);
    const headers = { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json" };
    const inst = await fetch(`${standInUrl("github")}/orgs/${org}/installation`, { headers });
    const { id } = (await inst.json()) as { id: number };
    const res = await fetch(`${standInUrl("github")}/app/installations/${id}/access_tokens`, {
      method: "POST",
      headers,
    });
    expect(res.status).toBe(201);
    return `token ${((await res.json()) as { token: string }).token}`;
  }

  it("an installation on the org sees private members: 204 member, 404 not; an outsider is redirected", async () => {
    const org = `conf-${crypto.randomUUID().slice(0, 8)}`;
    const member = await createUser({ github: { orgs: [org], scopes: ["user:email"] } });
    const outsider = await createUser();
    const authorization = await appToken(org);
    const check = (login: string, auth: string) =>
      fetch(`${standInUrl("github")}/orgs/${org}/members/${login}`, {
        headers: { authorization: auth, accept: "application/vnd.github+json" },
        redirect: "manual",
      });
    expect((await check(member.github!.login, authorization)).status).toBe(204);
    expect((await check(outsider.github!.login, authorization)).status).toBe(404);
    const redirected = await check(member.github!.login, `token ${outsider.github!.token}`);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get("location")).toBe(`/orgs/${org}/public_members/${member.github!.login}`);
  });
});
