// Generation figures: per-event latency through POST /message at a steady rate, throughput of a
// flood beside the agent stand-in read directly, and 100 concurrent runs on one `wrangler dev`
// (all complete, no event lost or repeated, workerd memory). The agent stand-in's `trickle`
// scenario stamps each event with its send time (same process, same clock as the reader here).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cpuProfile, profileSummary, quantile, sseRequest } from "./harness.mjs";

const USER = "dev-user";
const EVENT_BYTES = 1024;
const LATENCY = { events: 1000, rate: 200 };
const FLOOD = { events: 10_000 };
const CONCURRENT = { runs: 100, events: 100, rate: 50 };

const now = () => performance.timeOrigin + performance.now();
const ms = (n) => `${n.toFixed(1)} ms`;
const mib = (kib) => `${(kib / 1024).toFixed(kib < 10 * 1024 ? 1 : 0)} MiB`;
const marker = (events, rate) => `[scenario:trickle events=${events} size=${EVENT_BYTES} rate=${rate}]`;

/** The agent's send time carried by a trickle event's content, or null for other events. */
function sentAt(content) {
  if (typeof content !== "string" || !content.startsWith("t=")) return null;
  return Number(content.slice(2, content.indexOf(" ")));
}

/**
 * One run through POST /message: every event with its receive time, the trickle events' send
 * times, and when the agent's idle event and `done` came.
 */
async function runThroughUs(stack, token, text, { timeoutMs = 180_000 } = {}) {
  const out = {
    startedAt: now(),
    ids: [],
    kinds: [],
    trickle: [],
    idleAt: null,
    doneAt: null,
    errors: [],
    appId: null,
    last: null,
  };
  const onEvent = (e, at) => {
    out.ids.push(e.id === undefined ? null : Number(e.id));
    out.kinds.push(e.event);
    if (e.event === "done") out.doneAt = at;
    const data = JSON.parse(e.data);
    out.appId ??= data.appId ?? null;
    if (e.event === "error") out.errors.push(`${data.code} (${data.message})`);
    if (e.event !== "message") return;
    out.last = data.metadata?.type ?? `${data.message.kind} (${data.status})`;
    const t = sentAt(data.message?.messages?.[0]?.content);
    if (t !== null) out.trickle.push({ sent: t, at });
    if (data.status === "idle" && data.message.kind !== "PlatformMessage") out.idleAt = at;
  };
  try {
    const res = await sseRequest(`${stack.base}/message`, {
      headers: { authorization: `Bearer ${token}` },
      body: { message: text },
      timeoutMs,
      onEvent,
    });
    out.status = res.status;
    if (res.status !== 200) out.errors.push(`HTTP ${res.status}: ${res.body?.slice(0, 200)}`);
  } catch (err) {
    // A stream that broke or never ended: what came before is kept for the report.
    out.status = out.ids.length ? 200 : 0;
    out.errors.push(
      `${err.message}; last event ${out.kinds.at(-1) ?? "none"} ${out.last ?? ""} (app ${out.appId})`,
    );
  }
  return out;
}

/** The same scenario read from the agent stand-in itself, with the Worker's credentials. */
async function runDirect(stack, text) {
  const out = { startedAt: now(), trickle: [], idleAt: null };
  const appId = crypto.randomUUID();
  const res = await sseRequest(`${stack.standInUrl("agent")}/message`, {
    headers: { authorization: `Bearer ${stack.vars.AGENT_API_SECRET_AUTH}` },
    body: {
      allMessages: [{ role: "user", content: text }],
      applicationId: appId,
      traceId: `app-${appId}.req-${crypto.randomUUID()}`,
      templateId: "trpc_agent",
    },
    onEvent: (e, at) => {
      const data = JSON.parse(e.data);
      const t = sentAt(data.message?.messages?.[0]?.content);
      if (t !== null) out.trickle.push({ sent: t, at });
      if (data.status === "idle") out.idleAt = at;
    },
  });
  if (res.status !== 200) throw new Error(`agent stand-in answered ${res.status}: ${res.body}`);
  return out;
}

/**
 * A figure of the two workerd processes of `wrangler dev`: its proxy (on the public port, not
 * part of a deployment) and the one that runs the Worker and its Durable Objects.
 */
function byRole(stack, field) {
  const publicPort = Number(new URL(stack.base).port);
  const out = { proxy: 0, worker: 0 };
  for (const p of stack.workerd()) out[p.listens.includes(publicPort) ? "proxy" : "worker"] += p[field];
  return out;
}
const cpuMs = (stack) => byRole(stack, "cpuMs");

async function latency(stack, token, rows) {
  // One run first, so the isolate is warm and its code compiled, as it is in service.
  await runThroughUs(stack, token, `warm-up ${marker(500, 0)}`);
  const direct = await runDirect(stack, marker(LATENCY.events, LATENCY.rate));
  const r = await runThroughUs(stack, token, `latency ${marker(LATENCY.events, LATENCY.rate)}`);
  const lat = r.trickle.map((e) => e.at - e.sent);
  const base = direct.trickle.map((e) => e.at - e.sent);
  const p99 = quantile(lat, 0.99);
  const shape = `${LATENCY.events} × ${EVENT_BYTES} B at ${LATENCY.rate}/s`;
  rows.push({
    figure: `latency through POST /message, p50 / p99 / max (${shape})`,
    value: `${ms(quantile(lat, 0.5))} / ${ms(p99)} / ${ms(Math.max(...lat))}`,
    target: "p99 ≤ 25 ms",
    ok: r.trickle.length === LATENCY.events && p99 <= 25,
  });
  if (r.trickle.length !== LATENCY.events || r.errors.length)
    rows.push({
      figure: "latency run: events received",
      value: `${r.trickle.length} of ${LATENCY.events}${r.errors.length ? `, errors ${r.errors.join(", ")}` : ""}`,
      ok: false,
    });
  rows.push({
    figure: "latency from the agent stand-in directly, p50 / p99 / max",
    value: `${ms(quantile(base, 0.5))} / ${ms(quantile(base, 0.99))} / ${ms(Math.max(...base))}`,
  });
}

/** BENCH_PROFILE=1: one more flood under the sampling profiler; where the isolate's CPU goes. */
async function profiledFlood(stack, token, rows) {
  const { value: r, profile } = await cpuProfile(stack, () =>
    runThroughUs(stack, token, `profiled flood ${marker(FLOOD.events, 0)}`),
  );
  if (!profile) {
    rows.push({ figure: "profile of a flood", value: "the inspector gave no profile" });
    return;
  }
  const file = path.join(os.tmpdir(), "appbuilder-bench-flood.cpuprofile");
  fs.writeFileSync(file, JSON.stringify(profile));
  const sum = profileSummary(profile, 15);
  const pct = (t) => `${t.toFixed(0)} ms (${((100 * t) / sum.total).toFixed(0)} %)`;
  rows.push({
    figure: `profile of a flood (${r.trickle.length} events): sampled / idle`,
    value: `${pct(sum.total)} / ${pct(sum.idle)}  → ${file}`,
  });
  for (const [l, t] of sum.self) rows.push({ figure: `  self  ${l}`, value: pct(t) });
  for (const [l, t] of sum.inclusive) rows.push({ figure: `  total ${l}`, value: pct(t) });
}

async function flood(stack, token, rows) {
  const text = marker(FLOOD.events, 0);
  const direct = await runDirect(stack, text);
  const cpu0 = cpuMs(stack);
  const node0 = process.cpuUsage();
  stack.resetDbStats();
  const r = await runThroughUs(stack, token, `flood ${text}`);
  const node = process.cpuUsage(node0);
  const cpu1 = cpuMs(stack);
  const cpu = { proxy: cpu1.proxy - cpu0.proxy, worker: cpu1.worker - cpu0.worker };
  const db = stack.dbStats();
  const rate = (run) => {
    const last = Math.max(...run.trickle.map((e) => e.at));
    return run.trickle.length / ((last - run.startedAt) / 1000);
  };
  const directRate = rate(direct);
  const usRate = rate(r);
  const shape = `${FLOOD.events} × ${EVENT_BYTES} B, as fast as possible`;
  rows.push({
    figure: `flood from the agent stand-in directly, events/s (${shape})`,
    value: directRate.toFixed(0),
  });
  rows.push({
    figure: "flood through POST /message, events/s",
    value: `${usRate.toFixed(0)}${r.trickle.length !== FLOOD.events ? ` (only ${r.trickle.length} events)` : ""}`,
    target: "≥ 5000",
    ok: r.trickle.length === FLOOD.events && usRate >= 5000,
  });
  rows.push({
    figure: "flood through us ÷ directly",
    value: `${((100 * usRate) / directRate).toFixed(0)} %`,
  });
  const lat = r.trickle.map((e) => e.at - e.sent);
  rows.push({
    figure: "flood: send→receive delay p50 / p99 / max (queueing)",
    value: `${ms(quantile(lat, 0.5))} / ${ms(quantile(lat, 0.99))} / ${ms(Math.max(...lat))}`,
  });
  const per1000 = (t) => ms((1000 * t) / FLOOD.events);
  rows.push({
    figure: "flood: CPU per 1,000 events: Worker's workerd / wrangler's proxy workerd / this Node process",
    value: `${per1000(cpu.worker)} / ${per1000(cpu.proxy)} / ${per1000((node.user + node.system) / 1000)}`,
  });
  rows.push({
    figure: "flood: database connections / round trips (history flushes)",
    value: `${db.connections} / ${db.roundTrips}`,
  });
  rows.push({
    figure: "flood: idle event → done (snapshot, publish start, repo_created, deployment start)",
    value: r.doneAt && r.idleAt ? ms(r.doneAt - r.idleAt) : `no done (${r.errors.join(", ")})`,
  });
}

/** A run's stream is whole: ids contiguous, every trickle event once, `done` last, no error. */
function checkRun(r, events) {
  const problems = [];
  if (r.status !== 200) problems.push(`status ${r.status}`);
  for (let i = 1; i < r.ids.length; i++) {
    if (r.ids[i] !== r.ids[i - 1] + 1) {
      problems.push(`id ${r.ids[i]} after ${r.ids[i - 1]}`);
      break;
    }
  }
  const sent = new Set(r.trickle.map((e) => e.sent));
  const lost = Math.max(0, events - sent.size);
  const duplicated = r.trickle.length - sent.size;
  if (r.kinds.at(-1) !== "done") problems.push("does not end with done");
  if (r.errors.length) problems.push(`errors: ${r.errors.join(", ")}`);
  return { problems, lost, duplicated };
}

/** What the app's log and the agent stand-in say about a run that failed, for the report. */
async function diagnose(stack, token, r) {
  if (!r.appId) return "";
  const kinds = [];
  await sseRequest(`${stack.base}/apps/${r.appId}/events?after=0`, {
    method: "GET",
    headers: { authorization: `Bearer ${token}` },
    timeoutMs: 3_000,
    onEvent: (e) => {
      const data = JSON.parse(e.data);
      kinds.push(e.event === "message" ? (data.metadata?.type ?? data.message.kind) : e.event);
    },
  }).catch(() => undefined);
  const records = await (
    await fetch(`${stack.standInUrl("agent")}/__dev/requests?applicationId=${r.appId}`)
  ).json();
  const agent =
    records.map((x) => `${x.status} ${x.outcome} ${x.eventsSent} events`).join(", ") || "no request";
  return `; log now: ${kinds.length} events, ends ${kinds.slice(-3).join(" → ")}; agent: ${agent}`;
}

async function concurrent(stack, token, rows) {
  await stack.resetOutboundCalls();
  stack.resetDbStats();
  const before = byRole(stack, "rssKiB");
  const peak = { ...before };
  const sampler = setInterval(() => {
    const cur = byRole(stack, "rssKiB");
    peak.worker = Math.max(peak.worker, cur.worker);
    peak.proxy = Math.max(peak.proxy, cur.proxy);
  }, 100);
  const t0 = now();
  const text = (i) => `concurrent run ${i} ${marker(CONCURRENT.events, CONCURRENT.rate)}`;
  let runs;
  try {
    runs = await Promise.all(
      Array.from({ length: CONCURRENT.runs }, (_, i) => runThroughUs(stack, token, text(i))),
    );
  } finally {
    clearInterval(sampler);
  }
  const wall = now() - t0;
  // No forced GC through the inspector here: attaching it with a hundred live Durable Objects
  // makes wrangler's proxy open sockets until it runs out of file descriptors.
  const after = byRole(stack, "rssKiB");
  const db = stack.dbStats();
  const agent = await stack.standInStats("agent");
  let complete = 0;
  let lost = 0;
  let duplicated = 0;
  const failures = [];
  const streamEnd = [];
  for (const [i, r] of runs.entries()) {
    const c = checkRun(r, CONCURRENT.events);
    lost += c.lost;
    duplicated += c.duplicated;
    if (c.problems.length === 0 && c.lost === 0 && c.duplicated === 0) complete++;
    else failures.push({ i, r, text: [...c.problems, `lost ${c.lost}`, `dup ${c.duplicated}`].join("; ") });
    if (r.idleAt) streamEnd.push(r.idleAt - r.startedAt);
  }
  const shape = `${CONCURRENT.runs} runs × ${CONCURRENT.events} events at ${CONCURRENT.rate}/s`;
  rows.push({
    figure: `concurrent runs complete and whole (${shape})`,
    value: `${complete} / ${CONCURRENT.runs}`,
    target: `${CONCURRENT.runs}`,
    ok: complete === CONCURRENT.runs,
  });
  rows.push({
    figure: "concurrent: events lost / duplicated",
    value: `${lost} / ${duplicated}`,
    target: "0 / 0",
    ok: lost === 0 && duplicated === 0,
  });
  for (const f of failures.slice(0, Number(process.env.BENCH_SHOW_FAILURES ?? 3)))
    rows.push({ figure: "  failed", value: `run ${f.i}: ${f.text}${await diagnose(stack, token, f.r)}` });
  rows.push({
    figure: "concurrent: request → agent idle event, p50 / max (streaming alone is 2 s)",
    value: `${ms(quantile(streamEnd, 0.5))} / ${ms(Math.max(...streamEnd))}`,
  });
  rows.push({ figure: "concurrent: all runs done (incl. snapshot and publish start)", value: ms(wall) });
  rows.push({
    figure: "concurrent: agent requests received / database connections opened",
    value: `${agent.requests["POST /message"] ?? 0} / ${db.connections}`,
  });
  rows.push({
    figure: "Worker's workerd RSS: before / peak during / after",
    value: `${mib(before.worker)} / ${mib(peak.worker)} / ${mib(after.worker)}`,
  });
  rows.push({
    figure: "wrangler's proxy workerd RSS: before / peak during / after (dev only)",
    value: `${mib(before.proxy)} / ${mib(peak.proxy)} / ${mib(after.proxy)}`,
  });
}

export const parts = { latency, flood, concurrent, runThroughUs, runDirect };

export const generation = {
  name: "generation",
  title: "Generation: latency, flood, concurrent runs",
  async run(stack) {
    const rows = [];
    const token = await stack.token(USER);
    rows.push({
      figure: "machine load average (1, 5 min) at the start",
      value: os
        .loadavg()
        .slice(0, 2)
        .map((n) => n.toFixed(2))
        .join(", "),
    });
    await latency(stack, token, rows);
    await flood(stack, token, rows);
    if (process.env.BENCH_PROFILE) await profiledFlood(stack, token, rows);
    await concurrent(stack, token, rows);
    return rows;
  },
};
