import { createExecutionContext, env } from "cloudflare:test";
import { decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { call, callJson, expectProblem } from "./helpers/api";
import { config, standInUrl } from "./helpers/env";
import { createEmployee, createUser, mintToken } from "./helpers/users";

const b64url = (v: unknown) =>
  btoa(JSON.stringify(v)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
const nowS = () => Math.floor(Date.now() / 1000);

function claimsFor(userId: string) {
  return {
    sub: userId,
    iss: config.stackIssuer,
    aud: config.STACK_PROJECT_ID,
    iat: nowS(),
    exp: nowS() + 600,
    email: null,
    email_verified: false,
    is_anonymous: false,
  };
}

/** A token signed by a key the project's JWKS does not hold. */
async function foreignToken(userId: string, kid: string) {
  const { privateKey } = await generateKeyPair("ES256");
  return new SignJWT(claimsFor(userId))
    .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
    .sign(privateKey);
}

async function stackCalls(userId: string): Promise<number> {
  const res = await fetch(`${standInUrl("stack")}/__dev/stats`);
  const stats = (await res.json()) as { requests: Record<string, number> };
  return Object.entries(stats.requests)
    .filter(([key]) => key.includes(userId))
    .reduce((n, [, v]) => n + v, 0);
}

describe("auth: accepted tokens", () => {
  it("accepts a Stack token as Authorization: Bearer", async () => {
    const u = await createUser();
    const r = await callJson("GET", "/message-limit", { token: u.token });
    expect(r.status).toBe(200);
  });

  it("accepts a Stack token as x-stack-access-token", async () => {
    const u = await createUser();
    const r = await callJson("GET", "/message-limit", { headers: { "x-stack-access-token": u.token } });
    expect(r.status).toBe(200);
  });

  it("authenticating a request makes no call to Stack about the user", async () => {
    const u = await createUser();
    for (let i = 0; i < 3; i++) {
      expect((await call("GET", "/message-limit", { token: u.token })).status).toBe(200);
    }
    expect(await stackCalls(u.id)).toBe(0);
  });
});

describe("auth: refused tokens answer 401 unauthorized", () => {
  const cases: [string, (userId: string) => Promise<string>][] = [
    ["a malformed token", async () => "not-a-jwt"],
    ["a token of three garbage segments", async () => "abc.def.ghi"],
    ["an alg none token", async (id) => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claimsFor(id))}.`],
    [
      "an HMAC token",
      async (id) => {
        const secret = new TextEncoder().encode("a-shared-secret-that-is-long-enough");
        return new SignJWT(claimsFor(id)).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(secret);
      },
    ],
    [
      "a token signed by another key under the project's kid",
      async (id) => {
        const { kid } = decodeProtectedHeader(await mintToken(id));
        return foreignToken(id, kid!);
      },
    ],
    ["a token with an unknown kid", async (id) => foreignToken(id, `unknown-${crypto.randomUUID()}`)],
    ["an expired token", async (id) => mintToken(id, { expiresIn: -60 })],
    ["a token without exp", async (id) => mintToken(id, { omit: ["exp"] })],
    ["a token without sub", async (id) => mintToken(id, { omit: ["sub"] })],
    [
      "a token from another issuer",
      async (id) => mintToken(id, { claims: { iss: "https://evil.example/api/v1/projects/x" } }),
    ],
    ["a token for another audience", async (id) => mintToken(id, { claims: { aud: "another-project" } })],
    [
      "an anonymous user's token (aud :anon)",
      async (id) => mintToken(id, { claims: { aud: `${config.STACK_PROJECT_ID}:anon` } }),
    ],
    [
      "an anonymous user's token (aud list with :anon)",
      async (id) =>
        mintToken(id, { claims: { aud: [config.STACK_PROJECT_ID, `${config.STACK_PROJECT_ID}:anon`] } }),
    ],
    [
      "an anonymous user's token (is_anonymous)",
      async (id) => mintToken(id, { claims: { is_anonymous: true } }),
    ],
  ];

  it.each(cases)("refuses %s", async (_name, make) => {
    const u = await createUser();
    const token = await make(u.id);
    expectProblem(await callJson("GET", "/message-limit", { token }), 401, "unauthorized");
    expectProblem(
      await callJson("GET", "/message-limit", { headers: { "x-stack-access-token": token } }),
      401,
      "unauthorized",
    );
  });

  it("refuses a request without any token", async () => {
    expectProblem(await callJson("GET", "/message-limit"), 401, "unauthorized");
    expectProblem(
      await callJson("GET", "/message-limit", { headers: { authorization: "Basic dXNlcjpwYXNz" } }),
      401,
      "unauthorized",
    );
  });
});

describe("auth: key set outages", () => {
  async function withJwksUrl(jwksUrl: string, token: string) {
    const res = await createApp().request(
      "/message-limit",
      { headers: { authorization: `Bearer ${token}` } },
      { ...env, STACK_JWKS_URL: jwksUrl },
      createExecutionContext(),
    );
    return { res, status: res.status, body: await res.json() };
  }

  it("an unreachable JWKS is 503 upstream_unavailable, not 401", async () => {
    const u = await createUser();
    expectProblem(await withJwksUrl("http://127.0.0.1:1/jwks.json", u.token), 503, "upstream_unavailable");
  });

  it("a JWKS answering an error status is 503 upstream_unavailable, not 401", async () => {
    const u = await createUser();
    const url = `${standInUrl("stack")}/api/v1/projects/no-such-project/.well-known/jwks.json`;
    expectProblem(await withJwksUrl(url, u.token), 503, "upstream_unavailable");
  });
});

describe("CORS", () => {
  const ALLOWED = [
    "authorization",
    "content-type",
    "idempotency-key",
    "last-event-id",
    "x-stack-access-token",
    "x-request-id",
  ];

  it("a preflight allows the listed headers with credentials (development echoes any origin)", async () => {
    const res = await call("OPTIONS", "/apps", {
      headers: {
        origin: "https://builder.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": ALLOWED.join(","),
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://builder.example");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    const allowHeaders = (res.headers.get("access-control-allow-headers") ?? "")
      .toLowerCase()
      .split(/\s*,\s*/);
    for (const h of ALLOWED) expect(allowHeaders).toContain(h);
    expect(res.headers.get("access-control-allow-methods")).toContain("DELETE");
  });

  it("a response exposes the daily-limit, request id and app id headers", async () => {
    const u = await createUser();
    const res = await call("GET", "/message-limit", {
      token: u.token,
      headers: { origin: "https://builder.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://builder.example");
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    for (const h of [
      "x-dailylimit-limit",
      "x-dailylimit-remaining",
      "x-dailylimit-usage",
      "x-dailylimit-reset",
      "x-request-id",
      "x-app-id",
    ]) {
      expect(exposed).toContain(h);
    }
  });

  async function withEnv(vars: Record<string, string>, origin: string) {
    const app = createApp();
    return app.request(
      "/health",
      { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET" } },
      { ...env, ...vars },
      createExecutionContext(),
    );
  }

  it("with CORS_ORIGINS set, only a listed origin is allowed", async () => {
    const vars = { CORS_ORIGINS: "https://a.example, https://b.example" };
    const listed = await withEnv(vars, "https://b.example");
    expect(listed.headers.get("access-control-allow-origin")).toBe("https://b.example");
    const unlisted = await withEnv(vars, "https://evil.example");
    expect(unlisted.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("production without CORS_ORIGINS allows no origin, and * is ignored outside development", async () => {
    const none = await withEnv({ ENVIRONMENT: "production" }, "https://a.example");
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
    const star = await withEnv({ ENVIRONMENT: "production", CORS_ORIGINS: "*" }, "https://a.example");
    expect(star.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("body limit", () => {
  it("a body over 1 MiB is 413 payload_too_large, before auth", async () => {
    const big = `{"dailyLimit": 5, "pad": "${"x".repeat(1024 * 1024)}"}`;
    expectProblem(
      await callJson("PUT", "/admin/users/someone/message-limit", { body: big }),
      413,
      "payload_too_large",
    );
  });

  it("a body just under 1 MiB is accepted", async () => {
    const boss = await createEmployee();
    const body = `{"dailyLimit": 5}${" ".repeat(1024 * 1024 - 40)}`;
    const r = await callJson("PUT", `/admin/users/${crypto.randomUUID()}/message-limit`, {
      token: boss.token,
      body,
    });
    expect(r.status).toBe(200);
  });
});
