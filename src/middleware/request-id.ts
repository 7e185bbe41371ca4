import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { createLogger } from "../logger";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a sane caller id, else makes one; every response and log line carries it. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const given = c.req.header("x-request-id");
  const id = given && SANE_ID.test(given) ? given : crypto.randomUUID();
  c.set("requestId", id);
  const logger = createLogger({ requestId: id });
  c.set("logger", logger);
  const started = Date.now();
  await next();
  c.res.headers.set("x-request-id", id);
  logger.info("request", {
    userId: c.get("user")?.id,
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    durationMs: Date.now() - started,
  });
});
