// The benchmark's own stack (dev/stack.mjs on free ports, a throwaway Postgres, every stand-in,
// wrangler dev) and what sections measure with: stand-in request counts, database round trips
// at the WebSocket proxy, direct SQL for seeding, authenticated calls, autocannon.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { DEFAULT_PORTS, root } from "../dev/local-config.mjs";
import { freePort, startServices, startWrangler } from "../dev/stack.mjs";

export { root };

export async function startBenchStack({ log = () => {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-bench-"));
  const ports = {};
  for (const name of Object.keys(DEFAULT_PORTS)) ports[name] = await freePort();
  let services;
  let wrangler;
  let db;
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
      inspectorPort: await freePort(),
      persistTo: path.join(tmp, "wrangler-state"),
      vars: services.vars,
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
