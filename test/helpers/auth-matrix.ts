import { createApp } from "../../src/app";
import { PUBLIC_PATHS } from "../../src/middleware/auth";
import { config } from "./env";
import { mintToken } from "./users";

// The authorization matrix every authenticated route must pass, and the routes it runs on, listed
// from the router itself: a new route is in the matrix unless the auth middleware lets it through.

export interface RouteRef {
  method: string;
  /** Hono's form: `/apps/:id`. */
  path: string;
}

/** Every route of the app that the auth middleware guards, once per method and path. */
export function authenticatedRoutes(): RouteRef[] {
  const routes = new Map<string, RouteRef>();
  for (const r of createApp().routes) {
    if (r.method === "ALL" || PUBLIC_PATHS.has(r.path)) continue;
    routes.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return [...routes.values()];
}

const b64url = (v: unknown) =>
  btoa(JSON.stringify(v)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");

function unsignedToken(userId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: userId,
    iss: config.stackIssuer,
    aud: config.STACK_PROJECT_ID,
    iat: now,
    exp: now + 600,
  };
  return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
}

/** Each refused credential, made for a registered user; null sends no token at all. */
export const REFUSED_TOKENS: [string, (userId: string) => Promise<string | null>][] = [
  ["no token", async () => null],
  ["a malformed token", async () => "not-a-jwt"],
  ["an expired token", (id) => mintToken(id, { expiresIn: -60 })],
  [
    "a token from another issuer",
    (id) => mintToken(id, { claims: { iss: "https://evil.example/api/v1/projects/x" } }),
  ],
  ["a token for another audience", (id) => mintToken(id, { claims: { aud: "another-project" } })],
  ["an alg none token", async (id) => unsignedToken(id)],
];

/** The path with its parameters filled from `ids` (by name), any other parameter with a fresh UUID. */
export function fillPath(path: string, ids: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => ids[name] ?? crypto.randomUUID());
}

/** The route's parameters that name a resource owned by a user (another user's answers 404). */
export const OWNED_PARAMS = ["id", "deploymentId"];

export const hasOwnedParam = (r: RouteRef) => OWNED_PARAMS.some((p) => r.path.includes(`:${p}`));
