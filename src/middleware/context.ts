import { createMiddleware } from "hono/factory";
import { loadConfig } from "../config";
import { type AppEnv, type AuthUser, createRequestContext } from "../context";

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const ctx = createRequestContext({
    config: loadConfig(c.env),
    env: c.env,
    logger: c.get("logger"),
    requestId: c.get("requestId"),
    // Set by auth, which runs first; absent on the public paths.
    user: c.get("user") as AuthUser | undefined,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  c.set("ctx", ctx);
  try {
    await next();
  } finally {
    ctx.close();
  }
});
