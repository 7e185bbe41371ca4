import { cors as honoCors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { loadConfig } from "../config";
import type { AppEnv } from "../context";

const ALLOW_HEADERS = [
  "Authorization",
  "Content-Type",
  "Idempotency-Key",
  "Last-Event-ID",
  "x-stack-access-token",
  "x-request-id",
];
const EXPOSE_HEADERS = [
  "x-request-id",
  "x-app-id",
  "x-next-before",
  "x-next-cursor",
  "x-has-more",
  "x-dailylimit-limit",
  "x-dailylimit-remaining",
  "x-dailylimit-usage",
  "x-dailylimit-reset",
];

/**
 * Origins from CORS_ORIGINS; when it is unset, development allows any origin (echoed, since
 * credentials are allowed) and production allows none.
 */
export const cors = createMiddleware<AppEnv>(async (c, next) => {
  const config = loadConfig(c.env);
  const allowed = config.CORS_ORIGINS;
  const anyOrigin =
    allowed.length === 0 ? config.isDevelopment : allowed.includes("*") && config.isDevelopment;
  const handler = honoCors({
    origin: (origin) => (anyOrigin || allowed.includes(origin) ? origin : null),
    credentials: true,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    maxAge: 600,
  });
  return handler(c, next);
});
