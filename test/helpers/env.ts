import { env } from "cloudflare:test";
import { type Config, loadConfig } from "../../src/config";
import { type AuthUser, type ServiceContext, serviceContext } from "../../src/context";
import type { Db } from "../../src/db/client";
import { createLogger } from "../../src/logger";

export const config = loadConfig(env);
export const standInPorts = JSON.parse(
  (env as unknown as { TEST_STAND_IN_PORTS: string }).TEST_STAND_IN_PORTS,
) as Record<string, number>;
export const standInUrl = (name: string) => `http://127.0.0.1:${standInPorts[name]}`;

/**
 * A service context for calling services directly: the test configuration (with `overrides`) and
 * a logger, as a Workflow has them; `has` adds a database handle or a caller, as a request has them.
 */
export function testContext<H extends { db?: Db; user?: AuthUser } = Record<never, never>>(
  overrides: Partial<Config> = {},
  has?: H,
): ServiceContext & H {
  const base = serviceContext({
    config: { ...config, ...overrides },
    logger: createLogger({ test: "services" }),
  });
  return { ...base, ...(has as H) };
}
