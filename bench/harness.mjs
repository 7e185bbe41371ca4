// The benchmark's own stack (dev/stack.mjs on free ports, a throwaway Postgres, every stand-in,
// wrangler dev) and what sections measure with: stand-in request counts, database round trips
// at the WebSocket proxy, direct SQL for seeding, authenticated calls (the typed client, as built
// in client/dist), autocannon, SSE reads.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ApiError, createClient } from "@appbuilder/client";
import autocannon from "autocannon";
import { createParser } from "eventsource-parser";
import pg from "pg";
import { DEFAULT_PORTS, root } from "../dev/local-config.mjs";
import { freePort } from "../dev/stack.mjs";
import { devtoolsNetworkOff, workerdProcesses } from "./probes.mjs";

export { root };

/**
 * Worker variables the benchmark sets over the local defaults: sections start hundreds of runs
 * (each a new app) as one user, far past the default daily limit of 10; the database over
 * Neon's SQL-over-HTTP path (the geography section starts a second Worker on the WebSocket path).
 */
const BENCH_VARS = { DAILY_MESSAGE_LIMIT: "1000000", DATABASE_DRIVER: "http" };

/** What the stack runs from: the Worker's sources, its config and the local tooling. */
const TREE = [
  "src",
  "dev",
  "console",
  "client",
  "migrations",
  "wrangler.toml",
  "package.json",
  "tsconfig.json",
  ".dev.vars.example",
];

/**
 * A copy of the tree the stack runs from: `wrangler dev` rebuilds and restarts the Worker when a
 * source file changes, which would cut runs in flight whenever someone edits src/ meanwhile.
 * Returns dev/stack.mjs loaded from the copy (its root is the copy).
 */
async function snapshot(tmp) {
  const dir = path.join(tmp, "tree");
  for (const name of TREE) fs.cpSync(path.join(root, name), path.join(dir, name), { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return import(pathToFileURL(path.join(dir, "dev/stack.mjs")).href);
}

/**
 * Where the Worker's local state goes (`wrangler dev --persist-to`: the Durable Objects' SQLite,
 * the Workflows' state): a RAM disk when the machine has one. Locally each Durable Object commit
 * is a write to that file on the isolate's own thread, and on a busy virtual disk one can stall
 * every object of the isolate for 50–100 ms. A deployed object does not wait on a local disk: its
 * writes are made durable by replicating the WAL to other machines, while the output gate holds
 * what it sends until they confirm (Cloudflare, "Zero-latency SQLite storage in every Durable
 * Object", 2024). Postgres and the rest stay on disk. BENCH_STATE_DIR overrides the choice.
 */
function stateRoot() {
  const wanted = process.env.BENCH_STATE_DIR ?? "/dev/shm";
  try {
    fs.accessSync(wanted, fs.constants.W_OK);
    return wanted;
  } catch {
    return os.tmpdir();
  }
}

export async function startBenchStack({ log = () => {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-bench-"));
  const state = fs.mkdtempSync(path.join(stateRoot(), "appbuilder-bench-state-"));
  const { startServices, startWrangler } = await snapshot(tmp).catch((err) => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
    throw err;
  });
  const ports = {};
  for (const name of Object.keys(DEFAULT_PORTS)) ports[name] = await freePort();
  let services;
  let wrangler;
  let db;
  /** The DevTools session on the Worker's runtime (Network domain off; see devtoolsNetworkOff). */
  let inspector;
  /** startWorker's Workers by base URL: their wrangler handles, each with its DevTools session. */
  const extras = new Map();
  const stopWorker = async (extraBase) => {
    const w = extras.get(extraBase);
    if (!w) return;
    extras.delete(extraBase);
    w.inspector?.close();
    await w.stop();
  };
  let inspectorPort = await freePort();
  const stop = async () => {
    inspector?.close();
    for (const extraBase of [...extras.keys()]) await stopWorker(extraBase);
    await wrangler?.stop();
    await db?.end().catch(() => {});
    await services?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  };
  try {
    services = await startServices({
      ports,
      dataDir: path.join(tmp, "postgres"),
      persistent: false,
      countMessages: true,
    });
    // A port found free can be taken by another process before wrangler (or its runtime, which
    // picks its own) binds it: that start is tried again on fresh ports, twice at most.
    for (let attempt = 0; ; attempt++) {
      let portTaken = false;
      wrangler = startWrangler({
        port: ports.worker,
        ip: "127.0.0.1",
        inspectorPort,
        persistTo: path.join(state, "wrangler-state"),
        vars: { ...services.vars, ...BENCH_VARS },
        onLine: (line) => {
          if (/Address already in use/.test(line)) portTaken = true;
          // A reload (a watched file written) starts a new runtime, on which wrangler's inspector
          // proxy enables the Network domain again: turned off again, and said, since the runs
          // in flight ended with the old runtime.
          if (/Local server updated and ready/.test(line) && inspector) {
            console.error("bench: wrangler reloaded the Worker's runtime (runs in flight ended)");
            void inspector.send("Network.disable", {}, 500);
          }
          log(line);
        },
        readyTimeoutMs: 120_000,
      });
      try {
        await wrangler.ready;
        break;
      } catch (err) {
        await wrangler.stop();
        if (!portTaken || attempt >= 2) throw err;
        ports.worker = await freePort();
        inspectorPort = await freePort();
      }
    }
    inspector = await devtoolsNetworkOff(inspectorPort);
    db = new pg.Client(services.vars.DATABASE_URL);
    await db.connect();
  } catch (err) {
    await stop();
    throw err;
  }
  const base = `http://127.0.0.1:${ports.worker}`;
  const standInUrls = Object.fromEntries(services.standIns.map((n) => [n, services.standInHandles[n].url]));
  return {
    base,
    tmp,
    /** The directory of the Worker's local state (stateRoot). */
    stateDir: state,
    db,
    wrangler,
    stop,
    vars: services.vars,
    /** The DevTools session on the Worker's isolate (its Durable Objects run in it too): CPU profiles. */
    inspector,
    /** A stand-in's base URL (stack, agent, github, s3, …). */
    standInUrl: (name) => standInUrls[name],
    /** The workerd processes of this stack's `wrangler dev` (same process group): [{ pid, rssKiB, cpuMs, listens }]. */
    workerd: () => workerdProcesses(wrangler.pid),
    /**
     * The Worker's runtime itself, behind `wrangler dev`'s proxy (a dev-only hop that buffers
     * requests across reloads: 3–9 ms per request on this machine, which a deployed Worker does
     * not have). For a base URL of this stack (or of startWorker), its runtime's own URL.
     */
    runtimeBase: (base) =>
      runtimeBase(base === `http://127.0.0.1:${ports.worker}` ? wrangler : extras.get(base), base),
    /** An access token from the Stack stand-in for a named user (see dev/stand-ins/world.mjs). */
    token: (userId, expiresIn = 3600) => services.standInHandles.stack.mint({ userId, expiresIn }),
    /** Requests every stand-in has served since the last reset: { total, byService, requests }. */
    async outboundCalls() {
      const byService = {};
      const requests = {};
      let total = 0;
      for (const [name, url] of Object.entries(standInUrls)) {
        const s = await (await fetch(`${url}/__dev/stats`)).json();
        byService[name] = s.total;
        total += s.total;
        for (const [k, n] of Object.entries(s.requests)) requests[`${name}: ${k}`] = n;
      }
      return { total, byService, requests };
    },
    /** One stand-in's stats: { total, requests: { "METHOD /path": n }, log: [{ key, at, doneAt }] }. */
    async standInStats(name) {
      return (await fetch(`${standInUrls[name]}/__dev/stats?log`)).json();
    },
    async resetOutboundCalls() {
      for (const url of Object.values(standInUrls)) await fetch(`${url}/__dev/stats`, { method: "DELETE" });
    },
    /**
     * Database round trips (WebSocket Query + Sync messages, HTTP queries), WebSocket connections
     * and the HTTP endpoint's Postgres sessions, as seen by the local Neon proxy.
     */
    dbStats: () => services.proxy.stats(),
    resetDbStats: () => services.proxy.resetStats(),
    /** Adds `ms` of round-trip time between the Worker and the database (0: none). */
    setDbRtt: (ms) => services.proxy.setRtt(ms),
    /**
     * A second `wrangler dev` of the same tree on the same services with some variables changed
     * (e.g. DATABASE_DRIVER=ws, for a side-by-side figure); stopped with the stack. Returns its base URL.
     */
    async startWorker(extraVars) {
      const port = await freePort();
      const workerInspector = await freePort();
      const w = startWrangler({
        port,
        ip: "127.0.0.1",
        inspectorPort: workerInspector,
        persistTo: path.join(state, `wrangler-state-${port}`),
        vars: { ...services.vars, ...BENCH_VARS, ...extraVars },
        onLine: log,
        readyTimeoutMs: 120_000,
      });
      const extraBase = `http://127.0.0.1:${port}`;
      const entry = { ...w, inspector: null };
      extras.set(extraBase, entry); // stopped with the stack even if it never gets ready
      await w.ready;
      entry.inspector = await devtoolsNetworkOff(workerInspector);
      return extraBase;
    },
    /** Stops a Worker startWorker started (its runs in flight end with it). */
    stopWorker,
  };
}

/**
 * The URL of the workerd that runs the Worker of a `wrangler dev` (its process group holds two:
 * the proxy on the public port, and the runtime): the runtime's port that answers our /health.
 */
async function runtimeBase(handle, publicBase) {
  const publicPort = Number(new URL(publicBase).port);
  for (const p of workerdProcesses(handle.pid)) {
    if (p.listens.includes(publicPort)) continue;
    for (const port of p.listens) {
      const url = `http://127.0.0.1:${port}`;
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
        const body = await res.json().catch(() => null);
        if (res.status === 200 && body?.status === "ok") return url;
      } catch {
        // Not an HTTP port (the runtime's inspector, say).
      }
    }
  }
  throw new Error(`no runtime answers /health behind ${publicBase}`);
}

/** The typed client (client/) on a Worker, acting with `token`. */
export function apiClient(base, token) {
  return createClient({ baseUrl: base, getToken: () => token });
}

/** The status a call answered: its own, or the error answer's; `missing` for a route not in this build. */
export async function statusOf(call) {
  try {
    return (await call).status;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // A route that answers 404 "No such route" does not exist yet in this build.
    return err.status === 404 && /no such route/i.test(err.problem.detail) ? "route missing" : err.status;
  }
}

/** Load with autocannon; the figures a table needs. */
export async function load(url, { headers = {}, connections = 10, duration = 5 } = {}) {
  const r = await autocannon({ url, headers, connections, duration });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * An SSE request read with node:http (less per-chunk overhead than fetch, so receive times are
 * the socket's). `onEvent(event, receivedAt)` gets each parsed event and the time (ms since the
 * epoch, performance clock) its chunk arrived. Resolves when the stream ends: { status, headers, body? }.
 */
export function sseRequest(
  url,
  { method = "POST", headers = {}, body, onEvent = () => {}, timeoutMs = 120_000 },
) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let settled = false;
    // Settles once, whatever ends first: the stream, an error, or the deadline (which also
    // closes the socket, so nothing is left open behind a finished section).
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const req = http.request(url, {
      method,
      headers: {
        accept: "text/event-stream",
        ...(payload
          ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
          : {}),
        ...headers,
      },
      agent: false,
    });
    const timer = setTimeout(() => {
      settle(reject, new Error(`no end of stream after ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on("error", (err) => settle(reject, err));
    req.on("response", (res) => {
      res.setEncoding("utf8");
      res.on("error", (err) => settle(reject, err));
      res.on("close", () => settle(reject, new Error("the stream closed before its end")));
      if (res.statusCode !== 200) {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => settle(resolve, { status: res.statusCode, headers: res.headers, body: text }));
        return;
      }
      let receivedAt = 0;
      const parser = createParser({ onEvent: (e) => onEvent(e, receivedAt) });
      res.on("data", (chunk) => {
        receivedAt = performance.timeOrigin + performance.now();
        parser.feed(chunk);
      });
      res.on("end", () => settle(resolve, { status: 200, headers: res.headers }));
    });
    req.end(payload);
  });
}

/** The value at quantile q (0..1) of numbers, nearest rank. */
export function quantile(values, q) {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
