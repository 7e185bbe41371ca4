import type { Config } from "./config";
import { type Db, type DbHandle, openDb } from "./db/client";
import type { Logger } from "./logger";

export interface AuthUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string | null;
}

/** What a service needs from a request: built once per request from `c.env`, never module-level. */
export interface RequestContext {
  config: Config;
  env: Env;
  logger: Logger;
  requestId: string;
  /** Opened on first use, closed after the response. */
  readonly db: Db;
  waitUntil(promise: Promise<unknown>): void;
}

export function createRequestContext(opts: {
  config: Config;
  env: Env;
  logger: Logger;
  requestId: string;
  waitUntil: (p: Promise<unknown>) => void;
}): RequestContext & { close(): void } {
  let handle: DbHandle | undefined;
  return {
    ...opts,
    get db() {
      handle ??= openDb(opts.config);
      return handle.db;
    },
    close() {
      if (handle) opts.waitUntil(handle.end());
    },
  };
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    user: AuthUser;
    ctx: RequestContext;
    logger: Logger;
  };
};
