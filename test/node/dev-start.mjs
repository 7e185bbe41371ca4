// `npm run dev` (node dev/start.mjs) as a newcomer meets it: a port already in use, a data folder
// from another Postgres major version, Ctrl-C during start, and a full start. Each ends with a
// clear message, no stack trace, and nothing left running. Runs in Node (node --test), each case
// in its own copy of the launcher (its own .data/ and .wrangler/) on free ports.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { freePort } from "../../dev/stack.mjs";

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const PORT_NAMES = [
  "worker",
  "stack",
  "agent",
  "github",
  "s3",
  "ecr",
  "codebuild",
  "logs",
  "koyeb",
  "neon",
  "pg",
  "wsProxy",
];
const PORT_VARS = {
  worker: "PORT",
  stack: "DEV_PORT_STACK",
  agent: "DEV_PORT_AGENT",
  github: "DEV_PORT_GITHUB",
  s3: "DEV_PORT_S3",
  ecr: "DEV_PORT_ECR",
  codebuild: "DEV_PORT_CODEBUILD",
  logs: "DEV_PORT_LOGS",
  koyeb: "DEV_PORT_KOYEB",
  neon: "DEV_PORT_NEON",
  pg: "DEV_PORT_PG",
  wsProxy: "DEV_PORT_WS_PROXY",
};
const STACK_TRACE = /^\s+at .+[:(]/m;
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse())
    await c().catch((err) => console.error(`cleanup failed: ${err.message}`));
});

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A project root of its own: dev/ copied (it finds the root from its own path), the rest linked. */
function projectCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-devtest-"));
  fs.cpSync(path.join(repo, "dev"), path.join(dir, "dev"), { recursive: true });
  // The console is built into the copy (its files are the Worker's static assets).
  fs.cpSync(path.join(repo, "console"), path.join(dir, "console"), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}dist`),
  });
  for (const f of ["wrangler.toml", "package.json", "tsconfig.json", ".dev.vars.example"]) {
    fs.copyFileSync(path.join(repo, f), path.join(dir, f));
  }
  for (const d of ["node_modules", "src", "migrations", "client"])
    fs.symlinkSync(path.join(repo, d), path.join(dir, d));
  cleanups.push(async () => {
    const { postgresDataDir } = await import(path.join(dir, "dev/postgres.mjs"));
    const data = postgresDataDir(path.join(dir, ".data/postgres"));
    if (!data.startsWith(dir)) fs.rmSync(path.dirname(data), { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function ports() {
  const p = {};
  for (const n of PORT_NAMES) p[n] = await freePort();
  return p;
}

/** Starts `node dev/start.mjs` in its own process group (as a terminal would), collecting output. */
function startDev(dir, p) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir(), CI: "true" };
  for (const [name, port] of Object.entries(p)) env[PORT_VARS[name]] = String(port);
  const child = spawn(process.execPath, ["dev/start.mjs"], {
    cwd: dir,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters = [];
  const onData = (b) => {
    output += b;
    for (const w of [...waiters]) {
      if (w.re.test(output)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const kill = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
  cleanups.push(async () => kill());
  return {
    child,
    exited,
    output: () => output,
    /** Resolves when the output matches `re`; rejects after `ms` or when the process ends first. */
    waitFor(re, ms) {
      if (re.test(output)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; output:\n${output}`)), ms);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push({ re, resolve: done });
        exited.then(() => {
          clearTimeout(timer);
          if (!re.test(output)) reject(new Error(`exited before ${re}; output:\n${output}`));
        });
      });
    },
    /** Ctrl-C in a terminal: SIGINT to the whole foreground process group. */
    interrupt: () => process.kill(-child.pid, "SIGINT"),
  };
}

async function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Nothing it started is left: its process group is gone and every port it used is free again. */
async function assertNothingLeft(dev, p) {
  let groupAlive = true;
  for (let i = 0; i < 50 && groupAlive; i++) {
    try {
      process.kill(-dev.child.pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    } catch {
      groupAlive = false;
    }
  }
  assert.equal(groupAlive, false, "a process of the launcher's group is still running");
  for (const [name, port] of Object.entries(p)) {
    assert.ok(await portFree(port), `port ${port} (${name}) is still in use`);
  }
}

test("a port already in use: one line naming the port and the variable, nothing started", async () => {
  const dir = projectCopy();
  const p = await ports();
  const blocker = net.createServer().listen(p.worker, "127.0.0.1");
  await new Promise((r) => blocker.once("listening", r));
  cleanups.push(() => new Promise((r) => blocker.close(r)));
  const dev = startDev(dir, p);
  const { code } = await withTimeout(dev.exited, 60_000, "exiting");
  const out = dev.output();
  assert.equal(code, 1, out);
  assert.match(
    out,
    new RegExp(`port ${p.worker} \\(worker\\) is already in use: stop what uses it or set PORT`),
  );
  assert.doesNotMatch(out, STACK_TRACE);
  assert.doesNotMatch(out, /Starting Postgres/);
  await new Promise((r) => blocker.close(r));
  await assertNothingLeft(dev, p);
});

test("a data folder from another Postgres major version: says so and how to start fresh", async () => {
  const dir = projectCopy();
  const p = await ports();
  const { postgresDataDir } = await import(path.join(dir, "dev/postgres.mjs"));
  const data = postgresDataDir(path.join(dir, ".data/postgres"));
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, "PG_VERSION"), "16\n");
  const dev = startDev(dir, p);
  const { code } = await withTimeout(dev.exited, 120_000, "exiting");
  const out = dev.output();
  assert.equal(code, 1, out);
  assert.match(out, /was made by Postgres 16; this project runs Postgres 18\. .*npm run dev -- --reset-db/);
  assert.doesNotMatch(out, STACK_TRACE);
  assert.equal(
    fs.readFileSync(path.join(data, "PG_VERSION"), "utf8"),
    "16\n",
    "the old data is left as it was",
  );
  await assertNothingLeft(dev, p);
});

test("Ctrl-C while Postgres starts: stops what was started and exits", async () => {
  const dir = projectCopy();
  const p = await ports();
  const dev = startDev(dir, p);
  await dev.waitFor(/Starting Postgres/, 120_000);
  dev.interrupt();
  await withTimeout(dev.exited, 60_000, "exiting after Ctrl-C");
  const out = dev.output();
  assert.doesNotMatch(out, STACK_TRACE);
  assert.doesNotMatch(out, /npm run dev failed/);
  await assertNothingLeft(dev, p);
});

test("a full start prints our summary without wrangler's noise; Ctrl-C then stops everything", async () => {
  const dir = projectCopy();
  const p = await ports();
  // Types generated as `npm run types:check` does: wrangler dev must find them current.
  execFileSync(path.join(dir, "node_modules/.bin/wrangler"), ["types", "--env-interface", "Env"], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir(), WRANGLER_SEND_METRICS: "false" },
    stdio: "ignore",
  });
  assert.ok(fs.existsSync(path.join(dir, "worker-configuration.d.ts")));
  const dev = startDev(dir, p);
  await dev.waitFor(/API reference: .*Ctrl-C stops everything\./, 240_000);
  const health = await fetch(`http://127.0.0.1:${p.worker}/health`);
  assert.equal(health.status, 200);
  // The console was built into the project and is served (its script included).
  const consolePage = await fetch(`http://127.0.0.1:${p.worker}/console/`);
  assert.equal(consolePage.status, 200);
  assert.match(await consolePage.text(), /\/console\/console\.js/);
  assert.equal((await fetch(`http://127.0.0.1:${p.worker}/console/console.js`)).status, 200);
  const out = dev.output();
  assert.match(out, new RegExp(`Console: http://localhost:${p.worker}/console/`));
  for (const noise of [
    /env\.PATH|env\.HOME|env\.NODE_EXTRA_CA_CERTS/,
    /Your Worker has access to the following bindings/,
    /Using secrets defined in/,
    /Your types might be out of date/,
    /Scheduled Workers are not automatically triggered/,
  ]) {
    assert.doesNotMatch(out, noise);
  }
  assert.match(out, new RegExp(`Ready on http://localhost:${p.worker}`));
  assert.doesNotMatch(out, STACK_TRACE);
  // The Worker's variables are exactly ours: every name in the file wrangler reads is one
  // .dev.vars.example documents, and nothing of the launcher's environment is among them.
  const files = fs.readdirSync(path.join(dir, ".wrangler")).filter((f) => f.endsWith(".env"));
  assert.equal(files.length, 1, "the variables file exists while wrangler runs");
  const names = [
    ...fs.readFileSync(path.join(dir, ".wrangler", files[0]), "utf8").matchAll(/^([A-Z0-9_]+)=/gm),
  ].map((m) => m[1]);
  const documented = fs.readFileSync(path.join(dir, ".dev.vars.example"), "utf8");
  assert.ok(names.includes("DATABASE_URL") && names.includes("STACK_API_URL"), names.join(" "));
  for (const name of names)
    assert.match(documented, new RegExp(`^#?\\s*${name}=`, "m"), `${name} is not a Worker variable`);
  dev.interrupt();
  const { code } = await withTimeout(dev.exited, 60_000, "exiting after Ctrl-C");
  assert.equal(code, 0, dev.output());
  assert.match(dev.output(), /Stopped\./);
  await assertNothingLeft(dev, p);
  assert.deepEqual(
    fs.readdirSync(path.join(dir, ".wrangler")).filter((f) => f.endsWith(".env")),
    [],
    "the variables file is gone",
  );
});

test("the Worker gets each variable exactly as given ($, quotes, newlines, #, spaces)", async () => {
  const { toEnvFile } = await import(path.join(repo, "dev/wrangler.mjs"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-envfile-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(
    path.join(dir, "w.js"),
    "export default { fetch: (_r, env) => Response.json(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string'))) };\n",
  );
  fs.writeFileSync(
    path.join(dir, "wrangler.toml"),
    'name = "t"\nmain = "w.js"\ncompatibility_date = "2026-04-01"\n',
  );
  const vars = {
    PLAIN: "abc",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} wrangler must not expand
    DOLLAR: "a$b ${HOME} $PATH \\$x",
    PEM: "-----BEGIN KEY-----\nAAA+/=\nBBB\n-----END KEY-----\n",
    QUOTES: `it's "x"`,
    BACKSLASH_N: "a\\nb 'q'",
    HASH: "x # not a comment",
    SPACES: "  lead and trail  ",
  };
  fs.writeFileSync(path.join(dir, "vars.env"), toEnvFile(vars));
  const port = await freePort();
  const child = spawn(
    path.join(dir, "node_modules/.bin/wrangler"),
    ["dev", "--port", String(port), "--env-file", "vars.env", "--show-interactive-dev-session=false"],
    {
      cwd: dir,
      detached: true,
      stdio: "ignore",
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir(), WRANGLER_SEND_METRICS: "false" },
    },
  );
  cleanups.push(async () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  });
  let seen;
  for (let i = 0; i < 120 && !seen; i++) {
    seen = await fetch(`http://127.0.0.1:${port}/`)
      .then((r) => r.json())
      .catch(() => undefined);
    if (!seen) await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(seen, vars);
});
