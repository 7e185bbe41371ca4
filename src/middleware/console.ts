import type { Context } from "hono";
import { loadConfig } from "../config";
import { type AppEnv, actingFor } from "../context";
import { AppError } from "../errors";
import { isEmployee } from "../services/identity/profile";
import { CONSOLE_PATH, verifyAccessToken } from "./auth";

// The console (console/, built into the Worker's static assets) at /console: open in development;
// in production only for employees. A page load carries no Authorization header, so there the
// console's own sign-in form keeps the pasted token in a cookie scoped to /console, checked here
// like any access token on every load; the console's script reads it to call the API (as a bearer
// token: the API itself never reads cookies, so no other page can make it act for the user).

const COOKIE = "console_token";

/** Only our own files; the console calls this origin's API and nothing else. */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** The page of a production console without a usable employee token: sign in (or why not). */
function signInPage(reason: string | null, status: number): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console: sign in</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/console.css"></head><body><main class="sign-in">
<h1>App builder console</h1>${reason ? `<p class="error">${reason}</p>` : ""}
<p>The console is for employees. Paste an access token to continue.</p>
<form method="post" action="${CONSOLE_PATH}/sign-in"><textarea name="token" rows="4" required></textarea>
<button type="submit">Sign in</button></form></main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CONSOLE_CSP },
  });
}

/** Whether `token` is a valid access token of an employee (a refusal says why). */
async function employeeToken(c: Context<AppEnv>, token: string): Promise<string | null> {
  const config = loadConfig(c.env);
  try {
    const user = await verifyAccessToken(token, {
      jwksUrl: config.STACK_JWKS_URL,
      issuer: config.stackIssuer,
      audience: config.STACK_PROJECT_ID,
    });
    return (await isEmployee({ ctx: actingFor(c.var.ctx, user) }))
      ? null
      : "This account is not an employee's.";
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthorized") return "The token is invalid or expired.";
    return "The token could not be checked now; try again.";
  }
}

/**
 * Development only: access tokens of the local Stack stand-in's dev users, for the console's
 * token picker (`npm run dev` prints the same). Against a real Stack there are none.
 */
async function devTokens(c: Context<AppEnv>): Promise<Response> {
  const config = loadConfig(c.env);
  const users = [
    { userId: "dev-user", label: "dev-user (user@example.com)" },
    { userId: "dev-employee", label: "dev-employee (employee@neon.tech)" },
  ];
  const tokens = await Promise.all(
    users.map(async (u) => {
      try {
        const res = await fetch(`${config.STACK_API_URL}/__dev/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ userId: u.userId, expiresIn: 3600 }),
          signal: AbortSignal.timeout(3_000),
        });
        if (!res.ok) return null;
        const body = (await res.json()) as { accessToken?: string };
        const token = body.accessToken;
        return token ? { label: u.label, token } : null;
      } catch {
        return null;
      }
    }),
  );
  return Response.json(tokens.filter(Boolean), { headers: { "cache-control": "no-store" } });
}

/** Serves /console and its files: static assets, behind the production check. */
export async function serveConsole(c: Context<AppEnv>): Promise<Response> {
  const production = (c.env.ENVIRONMENT as string) !== "development";
  const path = c.req.path;
  if (production && path !== `${CONSOLE_PATH}/console.css`) {
    if (c.req.method === "POST" && path === `${CONSOLE_PATH}/sign-in`) {
      const form = await c.req.formData().catch(() => null);
      const token = String(form?.get("token") ?? "").trim();
      const refused = token ? await employeeToken(c, token) : "Paste a token.";
      if (refused) return signInPage(refused, 401);
      return new Response(null, {
        status: 303,
        headers: {
          location: `${CONSOLE_PATH}/`,
          "set-cookie": `${COOKIE}=${encodeURIComponent(token)}; Path=${CONSOLE_PATH}; Secure; SameSite=Strict; Max-Age=3600`,
        },
      });
    }
    const token = cookie(c.req.header("cookie"), COOKIE);
    if (!token) return signInPage(null, 401);
    const refused = await employeeToken(c, token);
    if (refused) return signInPage(refused, 403);
  }
  if (!production && path === `${CONSOLE_PATH}/dev-tokens.json`) return devTokens(c);
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    throw new AppError("not_found", "No such route");
  }
  const res = await c.env.ASSETS.fetch(c.req.raw);
  const out = new Response(res.body, res);
  out.headers.set("content-security-policy", CONSOLE_CSP);
  out.headers.set("x-content-type-options", "nosniff");
  out.headers.set("cache-control", "no-cache");
  return out;
}
