import { env } from "cloudflare:test";
import { type GitHubClientOptions, githubOrgClient, githubUserClient } from "../../src/clients/github";
import { appJwt } from "../../src/clients/github-app-auth";
import { ensureRepository } from "../../src/services/github";
import { config, standInUrl } from "./env";

// Controls of the GitHub stand-in and quick clients for tests.
export const ORG = "appbuilder-apps";
export const ghUrl = () => standInUrl("github");
/** Short backoff so fault tests stay fast; the retry logic is the same. */
const FAST: GitHubClientOptions = { baseDelayMs: 10 };

export const orgClient = (opts: GitHubClientOptions = {}) =>
  githubOrgClient(config, ORG, { ...FAST, ...opts });
export const userClient = (token: string, opts: GitHubClientOptions = {}) =>
  githubUserClient(config, token, { ...FAST, ...opts });

export const uniqueName = (prefix = "app") => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** A fresh private repository in the test org, named `<prefix>-app-<8 hex>`. */
export async function newOrgRepo(prefix = "todo", opts: GitHubClientOptions = {}) {
  const gh = orgClient(opts);
  const made = await ensureRepository({
    gh,
    owner: ORG,
    ownerType: "org",
    name: `${prefix} App ${crypto.randomUUID().slice(0, 8)}!`,
    description: "A todo app",
    private: true,
  });
  return { gh, ...made };
}

export interface ExportedRepo {
  archived: boolean;
  private: boolean;
  homepage: string | null;
  description: string | null;
  files: Array<{ path: string; mode: string; content: string }>;
  commits: Array<{ sha: string; message: string; parents: string[]; tree: string }>;
}

export async function exportRepo(owner: string, repo: string, ref = "main"): Promise<ExportedRepo> {
  const res = await fetch(`${ghUrl()}/__dev/repos/${owner}/${repo}/export?ref=${ref}`);
  if (!res.ok) throw new Error(`export of ${owner}/${repo} answered ${res.status}`);
  return res.json();
}

export interface FaultRule {
  match: string;
  status?: number;
  delayMs?: number;
  times?: number;
  headers?: Record<string, string>;
  body?: unknown;
  after?: boolean;
  advanceRef?: string;
  bodyIncludes?: string;
}

export async function injectFault(rule: FaultRule): Promise<void> {
  const res = await fetch(`${ghUrl()}/__dev/fail`, { method: "POST", body: JSON.stringify(rule) });
  if (res.status !== 204) throw new Error(`fault refused: ${res.status}`);
}

export async function preCreateRepo(owner: string, name: string, ownerType = "Organization"): Promise<void> {
  const res = await fetch(`${ghUrl()}/__dev/clash`, {
    method: "POST",
    body: JSON.stringify({ owner, name, ownerType }),
  });
  if (res.status !== 201) throw new Error(`clash refused: ${res.status}`);
}

/** Calls the stand-in served for paths of one repository (`/repos/<owner>/<repo>[/...]`). */
export async function repoCalls(owner: string, repo: string): Promise<number> {
  const res = await fetch(`${ghUrl()}/__dev/stats`);
  const body = (await res.json()) as { requests: Record<string, number> };
  const prefix = `/repos/${owner}/${repo}`;
  let n = 0;
  for (const [key, count] of Object.entries(body.requests)) {
    const path = key.slice(key.indexOf(" ") + 1);
    if (path === prefix || path.startsWith(`${prefix}/`)) n += count;
  }
  return n;
}

/** Direct REST calls to the stand-in, for its own tests. */
export async function gh(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  if (opts.token) headers.authorization = `token ${opts.token}`;
  const res = await fetch(`${ghUrl()}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test code reads GitHub's loosely typed answers
  const body: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, body };
}

export const testAppJwt = () =>
  appJwt((env as unknown as { GITHUB_APP_ID: string }).GITHUB_APP_ID, config.GITHUB_APP_PRIVATE_KEY ?? "");

/** An installation token for `org`, fetched the way GitHub documents it (the App JWT first). */
export async function installationToken(org = ORG): Promise<string> {
  const jwt = await testAppJwt();
  const inst = await fetch(`${ghUrl()}/orgs/${org}/installation`, {
    headers: { authorization: `Bearer ${jwt}` },
  });
  const { id } = (await inst.json()) as { id: number };
  const tok = await fetch(`${ghUrl()}/app/installations/${id}/access_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${jwt}` },
  });
  return ((await tok.json()) as { token: string }).token;
}

/** Installs the App on another org; answers the installation id. */
export async function installApp(org: string): Promise<number> {
  const res = await fetch(`${ghUrl()}/__dev/installations`, {
    method: "POST",
    body: JSON.stringify({ org }),
  });
  return ((await res.json()) as { id: number }).id;
}

/** Calls the stand-in served for one exact "METHOD /path". */
export async function callsTo(key: string): Promise<number> {
  const res = await fetch(`${ghUrl()}/__dev/stats`);
  return ((await res.json()) as { requests: Record<string, number> }).requests[key] ?? 0;
}

export const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
export const fromB64 = (data: string) =>
  new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
