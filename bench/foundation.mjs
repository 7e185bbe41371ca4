// Foundation figures: outbound calls per authenticated request (stand-in counters), database
// round trips per read (proxy counter), GET /apps throughput beside GET /health, bundle size.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { apiClient, load, root, statusOf } from "./harness.mjs";

const USER = "dev-user";
const SEQUENTIAL = 30;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** Seeds `count` apps for the user by direct SQL; returns their ids, newest first. */
async function seedApps(db, count) {
  const { rows } = await db.query(
    `insert into apps (id, owner_id, name, app_name, tech_stack, created_at, updated_at)
     select gen_random_uuid(), $1, 'Bench app ' || i, 'bench-app-' || i, 'trpc_agent',
            now() - (i || ' seconds')::interval, now()
     from generate_series(1, $2) as i
     returning id`,
    [USER, count],
  );
  return rows.map((r) => r.id);
}

async function perRequest(stack, token, read) {
  await stack.resetOutboundCalls();
  stack.resetDbStats();
  const api = apiClient(stack.base, token);
  let status;
  for (let i = 0; i < SEQUENTIAL; i++) status = await statusOf(read(api));
  const calls = await stack.outboundCalls();
  const db = stack.dbStats();
  return {
    status,
    calls: calls.total / SEQUENTIAL,
    callDetail: calls.requests,
    roundTrips: db.roundTrips / SEQUENTIAL,
    connections: db.connections / SEQUENTIAL,
  };
}

function bundleSize() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-bundle-"));
  try {
    const r = spawnSync(
      path.join(root, "node_modules/.bin/wrangler"),
      ["deploy", "--dry-run", "--outdir", outdir],
      {
        cwd: root,
        encoding: "utf8",
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          WRANGLER_HIDE_BANNER: "true",
        },
        timeout: 180_000,
      },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(out);
    if (!m) return { error: out.trim().split("\n").slice(-5).join(" | ") };
    // Our own measure of the same files, as a cross-check of wrangler's figure.
    let raw = 0;
    let gz = 0;
    for (const f of fs.readdirSync(outdir, { recursive: true })) {
      const p = path.join(outdir, f);
      if (!fs.statSync(p).isFile() || p.endsWith(".map") || p.endsWith("README.md")) continue;
      const buf = fs.readFileSync(p);
      raw += buf.length;
      gz += zlib.gzipSync(buf, { level: 9 }).length;
    }
    return { raw: Number(m[1]), gzip: Number(m[2]), ownRaw: raw / 1024, ownGzip: gz / 1024 };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const kib = (n) => `${n.toFixed(1)} KiB`;
const num = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export const foundation = {
  name: "foundation",
  title: "Foundation: auth, database, throughput, bundle",
  async run(stack) {
    const rows = [];
    const ids = await seedApps(stack.db, 25);
    const token = await stack.token(USER);

    // Cold: the first authenticated request of a fresh isolate fetches the JWKS once.
    await stack.resetOutboundCalls();
    await apiClient(stack.base, token).get("/apps");
    const cold = await stack.outboundCalls();
    rows.push({
      figure: "outbound calls, 1st authenticated request (cold)",
      value: `${cold.total} (${Object.keys(cold.requests).join(", ") || "none"})`,
    });

    for (const [label, read, rtTarget] of [
      ["GET /apps", (api) => api.get("/apps"), undefined],
      ["GET /apps/:id", (api) => api.get("/apps/{id}", { path: { id: ids[0] } }), 1],
    ]) {
      const r = await perRequest(stack, token, read);
      if (r.status !== 200)
        rows.push({ figure: `${label} status`, value: r.status, target: "200", ok: false });
      rows.push({
        figure: `outbound calls per request, ${label} (JWKS cached)`,
        value: `${num(r.calls)}${r.calls ? ` (${Object.keys(r.callDetail).join(", ")})` : ""}`,
        target: "0",
        ok: r.calls === 0,
      });
      rows.push({
        figure: `database round trips per request, ${label}`,
        value: num(r.roundTrips),
        target: rtTarget === undefined ? "" : String(rtTarget),
        ok: rtTarget === undefined || r.status !== 200 ? undefined : r.roundTrips <= rtTarget,
      });
      rows.push({ figure: `database connections per request, ${label}`, value: num(r.connections) });
    }

    const headers = { authorization: `Bearer ${token}` };
    const opts = { connections: CONNECTIONS, duration: DURATION_S };
    await load(`${stack.base}/health`, { ...opts, duration: 1 });
    await load(`${stack.base}/apps`, { ...opts, headers, duration: 1 });
    const health = await load(`${stack.base}/health`, opts);
    const ready = await load(`${stack.base}/health/ready`, opts);
    const list = await load(`${stack.base}/apps`, { ...opts, headers });
    const shape = `${CONNECTIONS} connections, ${DURATION_S} s`;
    rows.push({
      figure: `GET /health req/s (${shape})`,
      value: `${health.rps.toFixed(0)}  p50 ${health.p50} ms  p99 ${health.p99} ms  non-2xx ${health.non2xx}`,
    });
    rows.push({
      figure: `GET /health/ready req/s (select 1)`,
      value: `${ready.rps.toFixed(0)}  p50 ${ready.p50} ms  p99 ${ready.p99} ms  non-2xx ${ready.non2xx}`,
    });
    rows.push({
      figure: `GET /apps req/s (${shape})`,
      value: `${list.rps.toFixed(0)}  p50 ${list.p50} ms  p99 ${list.p99} ms  non-2xx ${list.non2xx}`,
      ok: list.non2xx === 0 && list.errors === 0 ? undefined : false,
    });
    rows.push({
      figure: "GET /apps ÷ GET /health throughput",
      value: health.rps ? `${((100 * list.rps) / health.rps).toFixed(0)} %` : "n/a",
    });

    const b = bundleSize();
    if (b.error)
      rows.push({ figure: "bundle (wrangler deploy --dry-run)", value: `failed: ${b.error}`, ok: false });
    else {
      rows.push({ figure: "bundle raw (wrangler)", value: kib(b.raw) });
      rows.push({
        figure: "bundle gzip (wrangler)",
        value: kib(b.gzip),
        target: "< 400 KiB",
        ok: b.gzip < 400,
      });
      rows.push({
        figure: "bundle raw / gzip -9 (files in --outdir)",
        value: `${kib(b.ownRaw)} / ${kib(b.ownGzip)}`,
      });
    }
    return rows;
  },
};
