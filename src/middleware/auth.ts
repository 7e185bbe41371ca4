import { createMiddleware } from "hono/factory";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { loadConfig } from "../config";
import type { AppEnv, AuthUser } from "../context";
import { AppError } from "../errors";

// One key set per JWKS URL per isolate: jose fetches it once, then again only on an unknown kid
// (at most every 30 s) or when the set is older than 10 minutes, so an authenticated request
// makes no outbound call once it is warm.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    keySets.set(url, set);
  }
  return set;
}

function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m?.[1];
}

interface StackClaims extends JWTPayload {
  email?: string | null;
  email_verified?: boolean;
  name?: string | null;
  is_anonymous?: boolean;
}

/**
 * A key set that could not be fetched or read. jose reports everything about the token itself as
 * a JOSEError; anything else (workerd's "Network connection lost", a TypeError) is the fetch.
 */
function keySetUnavailable(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true;
  if (err.code === "ERR_JWKS_TIMEOUT" || err.code === "ERR_JWKS_INVALID") return true;
  return err.code === "ERR_JOSE_GENERIC" && /JSON Web Key Set HTTP response/.test(err.message);
}

export async function verifyAccessToken(
  token: string,
  opts: { jwksUrl: string; issuer: string; audience: string },
): Promise<AuthUser> {
  let payload: StackClaims;
  try {
    ({ payload } = await jwtVerify<StackClaims>(token, keySet(opts.jwksUrl), {
      issuer: opts.issuer,
      audience: opts.audience,
      algorithms: ["ES256", "RS256"],
      requiredClaims: ["exp", "sub"],
    }));
  } catch (err) {
    // A key set we could not fetch says nothing about the token: 503, so clients retry instead
    // of signing the user out.
    if (keySetUnavailable(err)) {
      throw new AppError("upstream_unavailable", "The identity provider's key set could not be fetched", {
        cause: err,
      });
    }
    throw new AppError("unauthorized", "The access token is invalid or expired", { cause: err });
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.is_anonymous || aud.some((a) => a?.endsWith(":anon"))) {
    throw new AppError("unauthorized", "Anonymous users cannot use this API");
  }
  return {
    id: payload.sub as string,
    email: payload.email ?? null,
    emailVerified: payload.email_verified === true,
    displayName: payload.name ?? null,
  };
}

/** Paths answered without a token; every other route is authenticated (the auth matrix test lists them). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  "/health",
  "/health/ready",
  "/openapi.json",
  "/docs",
  // The console checks its own visitors (middleware/console.ts): a page load carries no token.
  "/console",
  "/console/*",
]);

/** Where the console is served (middleware/console.ts). */
export const CONSOLE_PATH = "/console";
export const isConsolePath = (path: string) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);

/** Stack access token from `Authorization: Bearer` or `x-stack-access-token`, verified locally. */
export const auth = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS" || PUBLIC_PATHS.has(c.req.path) || isConsolePath(c.req.path)) return next();
  const token = bearer(c.req.header("authorization")) ?? c.req.header("x-stack-access-token")?.trim();
  if (!token) throw new AppError("unauthorized", "An access token is required");
  const config = loadConfig(c.env);
  const user = await verifyAccessToken(token, {
    jwksUrl: config.STACK_JWKS_URL,
    issuer: config.stackIssuer,
    audience: config.STACK_PROJECT_ID,
  });
  c.set("user", user);
  await next();
});
