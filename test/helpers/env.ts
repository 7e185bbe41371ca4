import { env } from "cloudflare:test";
import { loadConfig } from "../../src/config";

export const config = loadConfig(env);
export const standInPorts = JSON.parse(
  (env as unknown as { TEST_STAND_IN_PORTS: string }).TEST_STAND_IN_PORTS,
) as Record<string, number>;
export const standInUrl = (name: string) => `http://127.0.0.1:${standInPorts[name]}`;
