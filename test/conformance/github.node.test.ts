import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startGitHub } from "../../dev/stand-ins/github.mjs";
import { githubOrgClient, githubUserClient } from "../../src/clients/github";
import { getGitHubLogin, isOrgMember } from "../../src/clients/github-identity";
import { type Config, loadConfig } from "../../src/config";
import {
  archiveRepository,
  commitChanges,
  commitVersion,
  ensureRepository,
  getHeadTree,
  getRepository,
  setHomepage,
} from "../../src/services/github";
import { type Exchange, loadGitHubSpec } from "./github-openapi.node";

// Our GitHub client and the GitHub stand-in, judged by GitHub's own OpenAPI description: the
// publish path (the same service functions the workflows call) runs against the stand-in, which
// records every exchange; each request and each answer must be what api.github.com documents.

const ORG = "appbuilder-apps";
const USER_TOKEN = "gho_dev_user_token"; // the stand-ins' dev user "dev-user"
const EMPLOYEE_TOKEN = "gho_dev_employee_token"; // "dev-employee", member of neondatabase

/** The operations our client uses. */
const OPERATIONS = [
  "GET /orgs/{org}/installation",
  "POST /app/installations/{installation_id}/access_tokens",
  "POST /orgs/{org}/repos",
  "POST /user/repos",
  "GET /repos/{owner}/{repo}",
  "PATCH /repos/{owner}/{repo}",
  "GET /repos/{owner}/{repo}/git/ref/{ref}",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "POST /repos/{owner}/{repo}/git/blobs",
  "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
  "POST /repos/{owner}/{repo}/git/trees",
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
  "POST /repos/{owner}/{repo}/git/commits",
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
  "GET /user",
  "GET /orgs/{org}/members/{username}",
];

let github: Awaited<ReturnType<typeof startGitHub>>;
let config: Config;
const spec = loadGitHubSpec();

beforeAll(async () => {
  // Compiled before any stand-in call: a long compile between calls would idle kept-alive sockets.
  for (const op of OPERATIONS) spec.warm(...(op.split(" ") as [string, string]));
  github = await startGitHub({ installedOrgs: [ORG, "neondatabase"] });
  config = loadConfig({
    ENVIRONMENT: "development",
    DATABASE_URL: "postgres://unused@127.0.0.1:1/unused",
    STACK_PROJECT_ID: "p",
    STACK_API_URL: "http://127.0.0.1:1",
    STACK_SECRET_SERVER_KEY: "k",
    AGENT_SERVER_URL: "http://127.0.0.1:1",
    AGENT_API_SECRET_AUTH: "s",
    GITHUB_API_URL: github.url,
    GITHUB_APP_ID: github.appId,
    GITHUB_APP_PRIVATE_KEY: github.privateKeyPem,
    GITHUB_ORG: ORG,
  });
});
afterAll(() => github?.close());

async function exchanges(): Promise<Exchange[]> {
  const res = await fetch(`${github.url}/__dev/exchanges`);
  return ((await res.json()) as { exchanges: Exchange[] }).exchanges;
}

/** Every exchange so far conforms (only the answers when the test sent a bad request on purpose). */
async function expectConformant({ request = true } = {}) {
  const all = await exchanges();
  expect(all.length).toBeGreaterThan(0);
  const problems = all.flatMap((x) => spec.check(x, { request }));
  expect(problems.join("\n")).toBe("");
  return all;
}

const files = [
  { path: "package.json", content: '{ "name": "todo" }\n' },
  { path: "src/index.ts", content: "export const x = 1;\n" },
  {
    path: "public/logo.png",
    content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]).toString("base64"),
    encoding: "base64" as const,
  },
  { path: "bin/run.sh", content: "#!/bin/sh\necho hi\n", mode: "100755" as const },
];

describe("the publish path against GitHub's OpenAPI description", () => {
  test("org mode: create (and a taken name), commit a version, commit changes, read the tree, homepage, archive", async () => {
    await fetch(`${github.url}/__dev/exchanges`, { method: "DELETE" });
    const gh = githubOrgClient(config);
    const made = await ensureRepository({
      gh,
      owner: ORG,
      ownerType: "org",
      name: "Todo App",
      description: "A todo app",
      private: true,
    });
    const again = await ensureRepository({
      gh,
      owner: ORG,
      ownerType: "org",
      name: "Todo App",
      private: true,
      suffixes: ["x1"],
    });
    expect(again.repo).not.toBe(made.repo);

    const first = await commitVersion({
      gh,
      owner: ORG,
      repo: made.repo,
      tree: files,
      message: "Version 1",
      autoInitSha: made.autoInitSha,
    });
    const second = await commitChanges({
      gh,
      owner: ORG,
      repo: made.repo,
      files: [{ path: "src/index.ts", content: "export const x = 2;\n" }],
      deletedPaths: ["bin/run.sh"],
      message: "Version 2",
      expectedParent: first.commitSha,
    });
    expect(second.parentSha).toBe(first.commitSha);
    const tree = await getHeadTree({ gh, owner: ORG, repo: made.repo, withContent: true });
    expect(tree.files.map((f) => f.path)).toEqual(["package.json", "public/logo.png", "src/index.ts"]);
    await setHomepage({ gh, owner: ORG, repo: made.repo, homepage: "https://todo-app.koyeb.app" });
    expect(await archiveRepository({ gh, owner: ORG, repo: made.repo })).toBe("archived");
    expect(await archiveRepository({ gh, owner: ORG, repo: made.repo })).toBe("already_archived");
    expect(await getRepository(gh, ORG, "never-made")).toBeNull();

    const seen = await expectConformant();
    const ops = new Set(seen.map((x) => `${x.method} ${spec.match(x.method, x.path)?.template} ${x.status}`));
    // The exchanges judged cover the whole path, refusals included.
    for (const op of [
      "GET /orgs/{org}/installation 200",
      "POST /app/installations/{installation_id}/access_tokens 201",
      "POST /orgs/{org}/repos 201",
      "POST /orgs/{org}/repos 422",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/commits 201",
      "GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200",
      "PATCH /repos/{owner}/{repo} 200",
      "GET /repos/{owner}/{repo} 404",
    ]) {
      expect(ops, op).toContain(op);
    }
  });

  test("user mode: the user's own repository and a version", async () => {
    await fetch(`${github.url}/__dev/exchanges`, { method: "DELETE" });
    const gh = githubUserClient(config, USER_TOKEN);
    const made = await ensureRepository({
      gh,
      owner: "dev-user",
      ownerType: "user",
      name: "Notes",
      private: false,
    });
    await commitVersion({
      gh,
      owner: made.owner,
      repo: made.repo,
      tree: files,
      message: "Version 1",
      autoInitSha: made.autoInitSha,
    });
    const seen = await expectConformant();
    expect(seen.map((x) => `${x.method} ${x.path} ${x.status}`)).toContain("POST /user/repos 201");
  });

  test("identity: the login, the employee org check as the App (member and not), a bad token", async () => {
    await fetch(`${github.url}/__dev/exchanges`, { method: "DELETE" });
    expect(await getGitHubLogin(config, EMPLOYEE_TOKEN)).toBe("dev-employee");
    expect(await isOrgMember(config, "neondatabase", "dev-employee")).toBe(true);
    expect(await isOrgMember(config, "neondatabase", "dev-user")).toBe(false);
    await getGitHubLogin(config, "gho_not_a_token").catch(() => null);
    const seen = await expectConformant();
    expect(seen.map((x) => x.status).sort()).toEqual(expect.arrayContaining([200, 401, 404]));
  });
});

describe("the stand-in refuses what GitHub refuses, in GitHub's error shape", () => {
  beforeAll(async () => {
    const gh = githubUserClient(config, USER_TOKEN);
    await ensureRepository({ gh, owner: "dev-user", ownerType: "user", name: "refusals", private: true });
  });
  const call = (method: string, path: string, token: string | null, body?: unknown) =>
    fetch(`${github.url}${path}`, {
      method,
      headers: {
        accept: "application/vnd.github+json",
        ...(token ? { authorization: `token ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  test.each([
    ["no credentials", "GET", "/user", null, undefined, 401],
    ["a bad token", "GET", "/user", "gho_nope", undefined, 401],
    ["a repository nobody may see", "GET", "/repos/someone/secret", USER_TOKEN, undefined, 404],
    ["a repository without a name", "POST", "/user/repos", USER_TOKEN, { private: true }, 422],
    [
      "a tree entry with an invalid mode",
      "POST",
      "/repos/dev-user/refusals/git/trees",
      USER_TOKEN,
      { tree: [{ path: "a", mode: "100000", type: "blob", content: "x" }] },
      422,
    ],
    [
      "a blob that does not exist",
      "GET",
      "/repos/dev-user/refusals/git/blobs/0000000000000000000000000000000000000000",
      USER_TOKEN,
      undefined,
      404,
    ],
  ] as const)("%s", async (_name, method, path, token, body, status) => {
    await fetch(`${github.url}/__dev/exchanges`, { method: "DELETE" });
    const res = await call(method, path, token, body);
    expect(res.status).toBe(status);
    const err = (await res.json()) as Record<string, unknown>;
    expect(err).toMatchObject({
      message: expect.any(String),
      documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\//),
    });
    if ("status" in err) expect(err.status).toBe(String(status));
    expect(await expectConformant({ request: false })).toHaveLength(1);
  });
});
