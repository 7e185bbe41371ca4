import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { Config } from "../../src/config";
import { createRequestContext } from "../../src/context";
import { createLogger } from "../../src/logger";
import { config, standInUrl } from "./env";
import type { TestUser } from "./users";

/** Calls the stand-in served whose "METHOD /path" contains `needle` since the start. */
export async function callsAbout(name: "stack" | "github", needle: string): Promise<number> {
  const res = await fetch(`${standInUrl(name)}/__dev/stats`);
  const stats = (await res.json()) as { requests: Record<string, number> };
  return Object.entries(stats.requests)
    .filter(([key]) => key.includes(needle))
    .reduce((n, [, v]) => n + v, 0);
}

export async function failNext(name: "stack" | "github", match: string, times = 1, status = 503) {
  const res = await fetch(`${standInUrl(name)}/__dev/fail`, {
    method: "POST",
    body: JSON.stringify({ match, status, times }),
  });
  expect(res.ok).toBe(true);
}

/**
 * Holds the stand-in's requests whose "METHOD /path" contains `match` (they arrive and are
 * counted, but get no answer) until the returned function releases them.
 */
export async function holdCalls(name: "stack" | "github", match: string): Promise<() => Promise<void>> {
  const control = (what: "hold" | "release") =>
    fetch(`${standInUrl(name)}/__dev/${what}`, { method: "POST", body: JSON.stringify({ match }) });
  const res = await control("hold");
  expect(res.ok).toBe(true);
  await res.body?.cancel();
  return async () => {
    const r = await control("release");
    expect(r.ok).toBe(true);
    await r.body?.cancel();
  };
}

/** A request context like a route's, with some configuration changed. */
export function contextWith(overrides: Partial<Config>) {
  return createRequestContext({
    config: { ...config, ...overrides },
    env,
    logger: createLogger({ test: "identity" }),
    requestId: crypto.randomUUID(),
    waitUntil: () => undefined,
  });
}

export const authUser = (u: TestUser) => ({
  id: u.id,
  email: u.email,
  emailVerified: true,
  displayName: null,
});

/** Installs the GitHub App on `org` in the stand-in (so it can check the org's members). */
export async function installApp(org: string) {
  const res = await fetch(`${standInUrl("github")}/__dev/installations`, {
    method: "POST",
    body: JSON.stringify({ org }),
  });
  expect(res.status).toBe(201);
}

/** A Stack project in the stand-in with only these OAuth providers enabled. */
export async function stackProject(oauthProviders: string[]): Promise<Partial<Config>> {
  const id = `project-${crypto.randomUUID().slice(0, 8)}`;
  const secretServerKey = `key-${crypto.randomUUID()}`;
  const res = await fetch(`${standInUrl("stack")}/__dev/projects`, {
    method: "POST",
    body: JSON.stringify({ id, secretServerKey, oauthProviders }),
  });
  expect(res.status).toBe(201);
  return { STACK_PROJECT_ID: id, STACK_SECRET_SERVER_KEY: secretServerKey };
}
