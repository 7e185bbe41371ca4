import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";

type Doc = { paths: Record<string, unknown>; components?: { schemas?: Record<string, unknown> } };

function request(environment: string, path: string, init: RequestInit = {}) {
  return createApp().request(path, init, { ...env, ENVIRONMENT: environment }, createExecutionContext());
}

describe("development-only /github routes", () => {
  it("answer 404 in production before authentication: no token, a bad token", async () => {
    for (const headers of [{}, { authorization: "Bearer not-a-token" }] as Record<string, string>[]) {
      const res = await request("production", "/github/org/create-repo", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe("not_found");
    }
    // In development the same request meets authentication first.
    const dev = await request("development", "/github/org/create-repo", { method: "POST", body: "{}" });
    expect(dev.status).toBe(401);
  });

  it("are absent from the production OpenAPI document, with the schemas only they use", async () => {
    const prod = (await (await request("production", "/openapi.json")).json()) as Doc;
    const dev = (await (await request("development", "/openapi.json")).json()) as Doc;
    expect(Object.keys(dev.paths).some((p) => p.startsWith("/github/"))).toBe(true);
    expect(Object.keys(prod.paths).filter((p) => p.startsWith("/github"))).toEqual([]);
    expect(Object.keys(prod.paths)).toEqual(Object.keys(dev.paths).filter((p) => !p.startsWith("/github/")));
    expect(Object.keys(dev.components?.schemas ?? {})).toContain("GitHubOrgCommit");
    const prodSchemas = Object.keys(prod.components?.schemas ?? {});
    expect(prodSchemas.filter((s) => s.startsWith("GitHub"))).toEqual([]);
    expect(prodSchemas).toContain("ReadUrl");
    // Every reference left in the production document resolves.
    for (const [, name] of JSON.stringify(prod).matchAll(/"#\/components\/schemas\/([^"]+)"/g))
      expect(prodSchemas).toContain(name);
  });
});
