import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { drizzle as drizzleHttp, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../config";
import * as schema from "./schema";

type WsDb = NeonDatabase<typeof schema>;

/**
 * The database as services see it. Statements (and `batch`, one atomic round trip) go over Neon's
 * SQL-over-HTTP path: one HTTPS request each, on a connection the runtime keeps warm, so no
 * per-request TCP/TLS/WebSocket/Postgres handshakes. `transaction(fn)` is the interactive kind (it
 * reads between statements), which HTTP cannot carry: it opens a WebSocket connection for that
 * transaction only.
 */
export type Db = Omit<NeonHttpDatabase<typeof schema>, "transaction"> & { transaction: WsDb["transaction"] };

export interface DbHandle {
  db: Db;
  /** Releases what the handle opened (a WebSocket pool); call it in waitUntil. */
  end(): Promise<void>;
}

/** Per statement over HTTP; long enough for the largest history write, short of a wedged request. */
const HTTP_TIMEOUT_MS = 30_000;

function configureDriver(config: Config): void {
  // Every HTTP query has a deadline (one AbortSignal per call: a signal made with the client would
  // expire while a long-lived Durable Object or Workflow still uses it).
  neonConfig.fetchFunction = (input: string, init?: RequestInit) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const proxy = config.NEON_WS_PROXY;
  if (!proxy) return;
  // Local Postgres behind the proxy in dev/ (WebSocket→TCP and SQL-over-HTTP): same driver, plain
  // ws/http, no pipelining (pipelineConnect would break SCRAM against a non-Neon server).
  neonConfig.fetchEndpoint = `http://${proxy}/sql`;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

function openPool(config: Config, max: number): { db: WsDb; end(): Promise<void> } {
  const pool = new Pool({ connectionString: config.DATABASE_URL, max, connectionTimeoutMillis: 10_000 });
  // An idle client whose socket closes (the pool is ending, the server went away) reports it on
  // the pool; unheard, that error would be thrown as uncaught. A query in flight still fails.
  pool.on("error", () => {});
  let ended = false;
  return {
    db: drizzleWs({ client: pool, schema }),
    end: async () => {
      if (ended) return;
      ended = true;
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * A database handle for a request, a Durable Object batch or a Workflow step. DATABASE_DRIVER=ws
 * selects the previous path (a WebSocket Pool per handle, every statement on it), kept for the
 * benchmark's side-by-side comparison.
 */
export function openDb(config: Config): DbHandle {
  configureDriver(config);
  if (config.DATABASE_DRIVER === "ws") {
    const { db, end } = openPool(config, 4);
    return { db: db as unknown as Db, end };
  }
  return { db: httpDb(config), end: async () => {} };
}

/**
 * The HTTP path's handle holds no connection and no request's I/O (each statement is a fetch made
 * in the calling request's context), so one per isolate and connection string serves every
 * request, flush and step: building drizzle's relational view of the schema, which `drizzle()`
 * does each time, is paid once.
 */
let shared: { url: string; db: Db } | undefined;

function httpDb(config: Config): Db {
  if (shared?.url === config.DATABASE_URL) return shared.db;
  const db = drizzleHttp({ client: neon(config.DATABASE_URL), schema });
  const transaction: WsDb["transaction"] = async (fn, txConfig) => {
    const pool = openPool(config, 1);
    try {
      return await pool.db.transaction(fn, txConfig);
    } finally {
      await pool.end();
    }
  };
  shared = { url: config.DATABASE_URL, db: Object.assign(db, { transaction }) as unknown as Db };
  return shared.db;
}

/** Runs `fn` with a handle and always releases it. */
export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const handle = openDb(config);
  try {
    return await fn(handle.db);
  } finally {
    await handle.end();
  }
}

/**
 * Independent statements sent as one: over HTTP one request, Neon's batch (a non-interactive
 * transaction), so one round trip and one fetch; on the WebSocket path (no batch) side by side.
 */
export function sendTogether<U extends BatchItem<"pg">, T extends Readonly<[U, ...U[]]>>(
  db: Db,
  statements: T,
): Promise<BatchResponse<T>> {
  if ("batch" in db && typeof db.batch === "function") return db.batch(statements);
  return Promise.all(statements) as Promise<BatchResponse<T>>;
}
