import type { Config } from "./config";
import { type Db, type DbHandle, openDb, withDb } from "./db/client";
import { AppError } from "./errors";
import type { Logger } from "./logger";

export interface AuthUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string | null;
}

interface ServiceContextMembers {
  config: Config;
  logger: Logger;
  /**
   * A request's Postgres handle: opened on first use, closed after the response. Absent outside a
   * request (a Workflow step, the AppSession, cron, a stream that outlives its request): a service
   * that needs Postgres there opens a short-lived handle per call (`usingDb`), so nothing long-lived
   * holds a connection.
   */
  readonly db?: Db;
  /** The signed-in caller: set in an authenticated request. */
  readonly user?: AuthUser;
  /** The Worker's bindings (the AppSession stub, the Workflows): set in a request. */
  readonly env?: Env;
}

type Optional = "db" | "user" | "env";

/**
 * What every service takes as `ctx` (README, Layout: Services). `ServiceContext<"db" | "user">` is
 * one where those members are there: a service states what it needs, and a caller without them
 * (a Workflow has no caller and no request handle) cannot call it.
 */
export type ServiceContext<Needs extends Optional = never> = ServiceContextMembers & {
  readonly [K in Needs]-?: NonNullable<ServiceContextMembers[K]>;
};

/** A context outside a request (a Workflow, the AppSession, cron): no caller, no database handle. */
export function serviceContext(opts: { config: Config; logger: Logger }): ServiceContext {
  return { config: opts.config, logger: opts.logger };
}

/**
 * Runs `fn` with a context that has a database handle: the context's own (a request's), else one
 * opened for `fn` alone and released when it settles. Outside a request, several statements that
 * belong together (a history flush) share one short-lived connection this way.
 */
export function withDbContext<C extends ServiceContext, T>(
  ctx: C,
  fn: (ctx: C & { readonly db: Db }) => Promise<T>,
): Promise<T> {
  if (ctx.db) return fn(ctx as C & { readonly db: Db });
  return withDb(ctx.config, (db) => fn({ ...ctx, db }));
}

/** Postgres for one piece of work: the request's handle, or a short-lived one of its own (withDbContext). */
export function usingDb<T>(ctx: ServiceContext, fn: (db: Db) => Promise<T>): Promise<T> {
  return withDbContext(ctx, (c) => fn(c.db));
}

/** What a service needs from a request: built once per request from `c.env`, never module-level. */
export interface RequestContext extends ServiceContext<"db" | "user" | "env"> {
  config: Config;
  env: Env;
  logger: Logger;
  requestId: string;
  /** Opened on first use, closed after the response. */
  readonly db: Db;
  /** The caller; reading it on a public path (no token) is a 401. */
  readonly user: AuthUser;
  waitUntil(promise: Promise<unknown>): void;
}

export function createRequestContext(opts: {
  config: Config;
  env: Env;
  logger: Logger;
  requestId: string;
  /** Absent on the public paths, which authenticate no one. */
  user?: AuthUser;
  waitUntil: (p: Promise<unknown>) => void;
}): RequestContext & { close(): void } {
  let handle: DbHandle | undefined;
  return {
    config: opts.config,
    env: opts.env,
    logger: opts.logger,
    requestId: opts.requestId,
    waitUntil: opts.waitUntil,
    get db() {
      handle ??= openDb(opts.config);
      return handle.db;
    },
    get user() {
      if (!opts.user) throw new AppError("unauthorized", "An access token is required");
      return opts.user;
    },
    close() {
      if (handle) opts.waitUntil(handle.end());
    },
  };
}

/** The same request acting for `user` (the console's visitor, whose token came in a cookie). */
export function actingFor(ctx: RequestContext, user: AuthUser): RequestContext {
  return {
    config: ctx.config,
    env: ctx.env,
    logger: ctx.logger,
    requestId: ctx.requestId,
    user,
    get db() {
      return ctx.db;
    },
    waitUntil: (p) => ctx.waitUntil(p),
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
