import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../config";
import * as schema from "./schema";

export type Db = NeonDatabase<typeof schema>;

export interface DbHandle {
  db: Db;
  /** Closes the pool's connections; call it in waitUntil (a Pool must not outlive its request). */
  end(): Promise<void>;
}

function configureDriver(config: Config): void {
  const proxy = config.NEON_WS_PROXY;
  if (!proxy) return;
  // Local Postgres behind the WebSocket→TCP proxy in dev/: same driver, plain ws, no pipelining
  // (pipelineConnect would break SCRAM against a non-Neon server).
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

/** A short-lived pool: one per request, or one per Durable Object batch. */
export function openDb(config: Config): DbHandle {
  configureDriver(config);
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle client whose socket closes (the pool is ending, the server went away) reports it on
  // the pool; unheard, that error would be thrown as uncaught. A query in flight still fails.
  pool.on("error", () => {});
  let ended = false;
  return {
    db: drizzle({ client: pool, schema }),
    end: async () => {
      if (ended) return;
      ended = true;
      await pool.end().catch(() => undefined);
    },
  };
}

/** Runs `fn` with a fresh pool and always closes it. */
export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const handle = openDb(config);
  try {
    return await fn(handle.db);
  } finally {
    await handle.end();
  }
}
