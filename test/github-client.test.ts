import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GitHubError, githubOrgClient, githubUserClient } from "../src/clients/github";
import { appJwt, privateKeyPkcs8 } from "../src/clients/github-app-auth";
import { type CommitFile, commitVersion } from "../src/services/github";
import { config } from "./helpers/env";
import {
  callsTo,
  exportRepo,
  ghUrl,
  injectFault,
  installApp,
  newOrgRepo,
  ORG,
  repoCalls,
  uniqueName,
} from "./helpers/github";

// The client's own promises: credentials from the App key, retries only where they help, waits for
// rate limits, a timeout on every call, a bound on calls in flight.

const files: CommitFile[] = [
  { path: "a.txt", content: "a\n" },
  { path: "b/c.txt", content: "c\n" },
];
const secondsFromNow = (s: number) => String(Math.floor(Date.now() / 1000) + s);

describe("GitHub client", () => {
  it("accepts the App key as PKCS#1 (as GitHub issues it), PKCS#8, or with escaped newlines", async () => {
    const pkcs1 = config.GITHUB_APP_PRIVATE_KEY ?? "";
    const der = privateKeyPkcs8(pkcs1);
    const pkcs8 = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n")}\n-----END PRIVATE KEY-----\n`;
    for (const pem of [pkcs1, pkcs8, pkcs1.replace(/\n/g, "\\n")]) {
      const jwt = await appJwt((env as unknown as { GITHUB_APP_ID: string }).GITHUB_APP_ID, pem);
      const res = await fetch(`${ghUrl()}/orgs/${ORG}/installation`, {
        headers: { authorization: `Bearer ${jwt}` },
      });
      expect(res.status).toBe(200);
    }
  });

  it("fetches an installation token once and reuses it across clients until it nears expiry", async () => {
    const org = uniqueName("cache-org");
    const id = await installApp(org);
    for (let i = 0; i < 3; i++) {
      const err = await githubOrgClient(config, org)
        .request("GET /repos/{owner}/{repo}", { owner: org, repo: "x" })
        .catch((e) => e);
      expect(err).toMatchObject({ githubStatus: 404, code: "not_found" });
    }
    expect(await callsTo(`GET /orgs/${org}/installation`)).toBe(1);
    expect(await callsTo(`POST /app/installations/${id}/access_tokens`)).toBe(1);
  });

  it("an org without the App installed is a clear 404, not a crash", async () => {
    const gh = githubOrgClient(config, uniqueName("no-app"), { baseDelayMs: 10 });
    await expect(gh.request("GET /repos/{owner}/{repo}", { owner: "x", repo: "y" })).rejects.toMatchObject({
      githubStatus: 404,
      route: "GET /orgs/{org}/installation",
    });
  });

  it("a secondary rate limit is waited out (retry-after) and then the call succeeds", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    await injectFault({
      match: `POST /repos/${owner}/${repo}/git/trees`,
      status: 403,
      headers: { "retry-after": "1" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    const started = Date.now();
    await commitVersion({ gh, owner, repo, tree: files, message: "v1", autoInitSha });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await exportRepo(owner, repo)).commits).toHaveLength(1);
  });

  it("a primary rate limit waits until x-ratelimit-reset", async () => {
    const { gh, owner, repo } = await newOrgRepo();
    await injectFault({
      match: `GET /repos/${owner}/${repo}`,
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": secondsFromNow(1) },
      body: { message: "API rate limit exceeded" },
    });
    const started = Date.now();
    await gh.request("GET /repos/{owner}/{repo}", { owner, repo });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("a rate limit longer than the client waits fails at once with retryAfterMs for the caller", async () => {
    const { gh, owner, repo } = await newOrgRepo();
    await injectFault({
      match: `GET /repos/${owner}/${repo}`,
      status: 429,
      headers: { "retry-after": "120" },
    });
    const err = await gh.request("GET /repos/{owner}/{repo}", { owner, repo }).catch((e) => e);
    expect(err).toBeInstanceOf(GitHubError);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 120_000, code: "upstream_unavailable" });
  });

  it("a 4xx that is not a rate limit fails at once, without retries", async () => {
    const { gh, owner, repo } = await newOrgRepo();
    await injectFault({
      match: `POST /repos/${owner}/${repo}/git/trees`,
      status: 422,
      body: { message: "Invalid tree info" },
    });
    const before = await repoCalls(owner, repo);
    const err = await commitVersion({ gh, owner, repo, tree: files, message: "v1" }).catch((e) => e);
    expect(err).toMatchObject({ githubStatus: 422, retryable: false, code: "upstream_error" });
    expect((await repoCalls(owner, repo)) - before).toBe(3);
  });

  it("a GitHub call that hangs times out and is retried", async () => {
    const { owner, repo, autoInitSha } = await newOrgRepo("slow");
    await injectFault({ match: `GET /repos/${owner}/${repo}/git/ref/heads/main`, delayMs: 3_000 });
    const gh = githubOrgClient(config, ORG, { timeoutMs: 300, baseDelayMs: 10 });
    const started = Date.now();
    await commitVersion({ gh, owner, repo, tree: files, message: "v1", autoInitSha });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await exportRepo(owner, repo)).commits).toHaveLength(1);
  });

  it("an unreachable GitHub is a retryable error without a status", async () => {
    const gh = githubUserClient({ ...config, GITHUB_API_URL: "http://127.0.0.1:9" }, "gho_x", {
      maxAttempts: 2,
      baseDelayMs: 10,
    });
    await expect(gh.request("GET /user")).rejects.toMatchObject({
      githubStatus: null,
      retryable: true,
      code: "upstream_unavailable",
    });
  });

  it("keeps at most 4 calls in flight: 8 slow blob uploads take two rounds", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo("bounded");
    await injectFault({ match: `POST /repos/${owner}/${repo}/git/blobs`, delayMs: 300, times: 8 });
    const binaries: CommitFile[] = Array.from({ length: 8 }, (_, i) => ({
      path: `bin/${i}.dat`,
      content: btoa(String.fromCharCode(0, i, 255)),
      encoding: "base64",
    }));
    const started = Date.now();
    await commitVersion({ gh, owner, repo, tree: binaries, message: "binaries", autoInitSha });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect((await exportRepo(owner, repo)).files).toHaveLength(8);
  });
});
