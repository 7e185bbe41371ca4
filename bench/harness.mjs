// The benchmark's own stack (dev/stack.mjs on free ports, a throwaway Postgres, every stand-in,
// wrangler dev) and what sections measure with: stand-in request counts, database round trips
// at the WebSocket proxy, direct SQL for seeding, authenticated calls, autocannon.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createParser } from "eventsource-parser";
import pg from "pg";
import { DEFAULT_PORTS, root } from "../dev/local-config.mjs";
import { freePort, startServices, startWrangler } from "../dev/stack.mjs";

export { root };

/**
 * Worker variables the benchmark sets over the local defaults: sections start hundreds of runs
 * (each a new app) as one user, far past the default daily limit of 10.
 */
const BENCH_VARS = { DAILY_MESSAGE_LIMIT: "1000000" };

export async function startBenchStack({ log = () => {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-bench-"));
  const ports = {};
  for (const name of Object.keys(DEFAULT_PORTS)) ports[name] = await freePort();
  let services;
  let wrangler;
  let db;
  const inspectorPort = await freePort();
  const stop = async () => {
    await wrangler?.stop();
    await db?.end().catch(() => {});
    await services?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    services = await startServices({
      ports,
      dataDir: path.join(tmp, "postgres"),
      persistent: false,
      countMessages: true,
    });
    wrangler = startWrangler({
      port: ports.worker,
      ip: "127.0.0.1",
      inspectorPort,
      persistTo: path.join(tmp, "wrangler-state"),
      vars: { ...services.vars, ...BENCH_VARS },
      onLine: log,
      readyTimeoutMs: 120_000,
    });
    await wrangler.ready;
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
    db,
    wrangler,
    stop,
    vars: services.vars,
    /** wrangler's DevTools inspector (the Worker's isolate): CPU profiles, see bench/profile.mjs. */
    inspectorPort,
    /** A stand-in's base URL (stack, agent, github, s3, …). */
    standInUrl: (name) => standInUrls[name],
    /** The workerd processes of this stack's `wrangler dev` (same process group): [{ pid, rssKiB, cpuMs, listens }]. */
    workerd: () => workerdProcesses(wrangler.pid),
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
    /** Database round trips (Query + Sync messages) and connections seen by the proxy. */
    dbStats: () => services.proxy.stats(),
    resetDbStats: () => services.proxy.resetStats(),
  };
}

/** A request to the Worker; `token` adds the bearer header. Returns status and parsed body. */
export async function call(base, pathname, { token, method = "GET", body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
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

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Listening TCP ports by socket inode, from /proc/net/tcp (IPv4 and IPv6). */
function listeningPorts() {
  const byInode = new Map();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== "0A") continue; // LISTEN
      byInode.set(f[9], Number.parseInt(f[1].split(":").pop(), 16));
    }
  }
  return byInode;
}

/**
 * workerd processes in a process group, read from /proc: resident memory, CPU time used and the
 * ports they listen on (wrangler dev runs two: its proxy on the public port, and the Worker).
 */
export function workerdProcesses(pgid) {
  const out = [];
  const ports = listeningPorts();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the fields after ")" are fixed.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || !comm.startsWith("workerd")) continue;
      const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      const listens = [];
      for (const fd of fs.readdirSync(`/proc/${entry}/fd`)) {
        let link = "";
        try {
          link = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
        } catch {
          continue; // closed meanwhile
        }
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && ports.has(inode)) listens.push(ports.get(inode));
      }
      out.push({ pid: Number(entry), rssKiB, cpuMs, listens });
    } catch {
      // The process ended while we read it.
    }
  }
  return out;
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

/**
 * A DevTools protocol session on wrangler's inspector (the Worker's isolate; its Durable Objects
 * run in it too): `send(method, params, deadlineMs)` → the answer, or null past the deadline.
 */
async function openInspector(stack) {
  const { default: WebSocket } = await import("ws");
  const targets = await (await fetch(`http://127.0.0.1:${stack.inspectorPort}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let next = 0;
  const waiting = new Map();
  // wrangler's inspector proxy answers some commands (Profiler.enable, …) only with an echo of
  // the command: an answer is a message with the command's id and a result or an error.
  ws.on("message", (m) => {
    const d = JSON.parse(m);
    if (d.id !== undefined && waiting.has(d.id) && (d.result || d.error)) {
      waiting.get(d.id)(d);
      waiting.delete(d.id);
    }
  });
  const send = (method, params = {}, deadlineMs = 10_000) =>
    new Promise((resolve) => {
      const id = ++next;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(null);
      }, deadlineMs);
      waiting.set(id, (d) => {
        clearTimeout(timer);
        resolve(d);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/**
 * Samples the Worker isolate's CPU while `fn` runs. Returns fn's value and the V8 CPU profile
 * (null if the inspector gave none; save it as .cpuprofile to open it in Chrome DevTools).
 */
export async function cpuProfile(stack, fn, { intervalUs = 200 } = {}) {
  const inspector = await openInspector(stack);
  try {
    await inspector.send("Profiler.enable", {}, 1_000);
    await inspector.send("Profiler.setSamplingInterval", { interval: intervalUs }, 1_000);
    await inspector.send("Profiler.start", {}, 1_000);
    const value = await fn();
    const stopped = await inspector.send("Profiler.stop", {}, 60_000);
    return { value, profile: stopped?.result?.profile ?? null };
  } finally {
    inspector.close();
  }
}

/** A profile's busiest functions: { total, idle, self: [[label, ms]], inclusive: [[label, ms]] }. */
export function profileSummary(profile, top = 12) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n) =>
    `${n.callFrame.functionName || "(anonymous)"}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`;
  const perNode = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const d = (profile.timeDeltas[i] ?? 0) / 1000;
    perNode.set(id, (perNode.get(id) ?? 0) + d);
    total += d;
  });
  const self = new Map();
  const inclusive = new Map();
  for (const [id, t] of perNode) {
    const own = label(byId.get(id));
    self.set(own, (self.get(own) ?? 0) + t);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const n = byId.get(x);
      const l = label(n);
      // Named functions of the bundle only: the root and anonymous frames say little.
      if (seen.has(l) || !n.callFrame.url || !n.callFrame.functionName) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + t);
    }
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { total, idle: self.get("(idle)") ?? 0, self: sorted(self), inclusive: sorted(inclusive) };
}
