import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { call } from "./helpers/api";
import { createEmployee, createUser } from "./helpers/users";

// The console's serving and its gate; what it does in a browser is test/node/console.mjs's part.

/** A request to the Worker as deployed (ENVIRONMENT production), optionally with a cookie or a form. */
function production(path: string, init: RequestInit = {}) {
  return createApp().request(path, init, { ...env, ENVIRONMENT: "production" }, createExecutionContext());
}

const form = (token: string) => {
  const body = new URLSearchParams({ token });
  return { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } };
};

describe("/console", () => {
  it("development: the page, its script and styles are served from this origin, with a strict CSP", async () => {
    const page = await call("GET", "/console/");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/console.js">');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const script = await call("GET", "/console/console.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await call("GET", "/console/console.css")).status).toBe(200);
    expect((await call("GET", "/console/missing.js")).status).toBe(404);
  });

  it("development: the dev users' tokens are offered, and each is accepted by the API", async () => {
    const res = await call("GET", "/console/dev-tokens.json");
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { label: string; token: string }[];
    expect(tokens.map((t) => t.label)).toEqual([
      "dev-user (user@example.com)",
      "dev-employee (employee@neon.tech)",
    ]);
    for (const t of tokens) expect((await call("GET", "/me", { token: t.token })).status).toBe(200);
  });

  it("production: no cookie → the sign-in page (401); a user's token → 403; an employee's → the console", async () => {
    const none = await production("/console/");
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('action="/console/sign-in"');
    expect((await production("/console/console.js")).status).toBe(401);
    expect((await production("/console/dev-tokens.json")).status).toBe(401);

    const user = await createUser();
    const refused = await production("/console/sign-in", form(user.token));
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("not an employee");
    expect(
      (await production("/console/", { headers: { cookie: `console_token=${user.token}` } })).status,
    ).toBe(403);
    expect((await production("/console/sign-in", form("not-a-token"))).status).toBe(401);

    const employee = await createEmployee();
    const signedIn = await production("/console/sign-in", form(employee.token));
    expect(signedIn.status).toBe(303);
    const setCookie = signedIn.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^console_token=[^;]+; Path=\/console; Secure; SameSite=Strict/);
    const cookie = setCookie.split(";")[0]!;
    const page = await production("/console/", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/console/console.js");
    // Development conveniences are not there in production.
    expect((await production("/console/dev-tokens.json", { headers: { cookie } })).status).toBe(404);
  });
});
