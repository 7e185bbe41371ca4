// Geography: what a user far from the database's region sees. The local Neon proxy adds a
// round-trip time (BENCH_DB_RTT_MS, default 50 ms) between the Worker and Postgres, and the
// figures are printed in units of it, for the HTTP driver path (DATABASE_DRIVER=http, the
// default) beside the previous WebSocket Pool path (DATABASE_DRIVER=ws, a second `wrangler dev`
// of the same tree on the same database) in the same run. Requests go to each Worker's runtime,
// past wrangler's dev-only proxy (harness runtimeBase); the HTTP path through it is printed too.
import http from "node:http";
import { quantile, sseRequest } from "./harness.mjs";
import { marker, ms, now, runThroughUs } from "./runs.mjs";

const USER = "dev-user";
const RTT = Number(process.env.BENCH_DB_RTT_MS ?? 50);
const READS = 25;
const RUNS = 5;

/**
 * A GET read whole, on a kept-alive connection, with node:http: a browser's request on an open
 * connection. (Node's fetch spends 3–5 ms of this machine's CPU per request on its own streams,
 * which is the client's time, not the service's.) → { status, ms }.
 */
function timedGet(agent, url, token) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    http
      .get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, ms: now() - t0 }));
      })
      .on("error", reject);
  });
}

async function readMedian(base, token, path) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await timedGet(agent, base + path, token); // warm: compiled code, cached JWKS, open connection
    const times = [];
    let status;
    for (let i = 0; i < READS; i++) {
      const r = await timedGet(agent, base + path, token);
      status = r.status;
      times.push(r.ms);
    }
    return { status, ms: quantile(times, 0.5) };
  } finally {
    agent.destroy();
  }
}

/** POST /message (a new app each time) until its first event arrives; the median of a few. */
async function firstEventMedian(base, token) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = now();
    let first = null;
    const res = await sseRequest(`${base}/message`, {
      headers: { authorization: `Bearer ${token}` },
      body: { message: `geography ${marker(3, 0)}` },
      onEvent: (_e, at) => {
        first ??= at;
      },
    });
    if (res.status !== 200 || first === null) throw new Error(`POST /message answered ${res.status}`);
    times.push(first - t0);
  }
  return quantile(times, 0.5);
}

/** The agent stand-in's own time to its first event, read directly. */
async function agentFirstByte(stack) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const appId = crypto.randomUUID();
    const t0 = now();
    let first = null;
    await sseRequest(`${stack.standInUrl("agent")}/message`, {
      headers: { authorization: `Bearer ${stack.vars.AGENT_API_SECRET_AUTH}` },
      body: {
        allMessages: [{ role: "user", content: marker(3, 0) }],
        applicationId: appId,
        traceId: `app-${appId}.req-${crypto.randomUUID()}`,
        templateId: "trpc_agent",
      },
      onEvent: (_e, at) => {
        first ??= at;
      },
    });
    times.push(first - t0);
  }
  return quantile(times, 0.5);
}

async function measure(base, token, appId) {
  const out = {};
  for (const [label, path] of [
    ["GET /apps", "/apps"],
    ["GET /apps/:id", `/apps/${appId}`],
    ["GET /apps/:id/history", `/apps/${appId}/history`],
  ]) {
    out[label] = await readMedian(base, token, path);
  }
  out["POST /message → first event"] = { status: 200, ms: await firstEventMedian(base, token) };
  return out;
}

const inRtt = (t) => `${ms(t)} (${(t / RTT).toFixed(2)} RTT)`;

export const geography = {
  name: "geography",
  title: `Geography: the database ${RTT} ms away (medians at the Worker's runtime; WebSocket Pool path → HTTP path)`,
  async run(stack) {
    const token = await stack.token(USER);
    const rows = [];
    const seed = await runThroughUs(stack, token, `geography seed ${marker(5, 0)}`);
    if (!seed.appId) throw new Error(`seed run failed: ${seed.errors.join(", ")}`);
    const wsBase = await stack.startWorker({ DATABASE_DRIVER: "ws" });
    // The second wrangler goes on working for a moment after it says it is ready.
    await new Promise((r) => setTimeout(r, 3_000));
    const agent = await agentFirstByte(stack);
    // Each Worker's runtime is measured directly (see runtimeBase: wrangler's proxy is dev-only);
    // the HTTP path is also measured through that proxy, as `npm run dev` serves it. The WebSocket
    // path goes last: for a while after it, the machine is busy closing its connections (Postgres
    // backends exiting), which would slow whatever is measured next.
    const paths = {
      http: await stack.runtimeBase(stack.base),
      proxied: stack.base,
      ws: await stack.runtimeBase(wsBase),
    };
    const local = {};
    const far = {};
    try {
      for (const [name, base] of Object.entries(paths)) {
        stack.setDbRtt(0);
        local[name] = await measure(base, token, seed.appId);
        stack.setDbRtt(RTT);
        far[name] = await measure(base, token, seed.appId);
      }
    } finally {
      stack.setDbRtt(0);
      // Its runs' publishing and deployments would go on beside the sections that follow.
      await stack.stopWorker(wsBase);
    }
    for (const label of Object.keys(far.http)) {
      const first = label.startsWith("POST");
      const limit = first ? 2 * RTT + agent : 1.2 * RTT + 5;
      const bad = Object.values(far).some((m) => m[label].status !== 200);
      // What the distance added (far − near, in RTT): the machine's own time left out, which on a
      // busy machine is most of the total.
      const added = (name) => ((far[name][label].ms - local[name][label].ms) / RTT).toFixed(1);
      rows.push({
        figure: `${label} at ${RTT} ms RTT: ws → http`,
        value:
          `${inRtt(far.ws[label].ms)} → ${inRtt(far.http[label].ms)}${bad ? " (non-200!)" : ""}; ` +
          `added ${added("ws")} → ${added("http")} RTT`,
        target: first ? `≤ 2 RTT + agent first byte (${ms(limit)})` : `≤ 1.2 RTT + 5 ms (${ms(limit)})`,
        ok: !bad && far.http[label].ms <= limit,
      });
      rows.push({
        figure: `  same, no added RTT: ws → http`,
        value: `${ms(local.ws[label].ms)} → ${ms(local.http[label].ms)}`,
      });
      rows.push({
        figure: `  http through wrangler's dev proxy: at ${RTT} ms RTT / none`,
        value: `${inRtt(far.proxied[label].ms)} / ${ms(local.proxied[label].ms)}`,
      });
    }
    rows.push({ figure: "agent stand-in's first event, read directly", value: ms(agent) });
    return rows;
  },
};
