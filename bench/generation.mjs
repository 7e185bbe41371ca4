// Generation figures: per-event latency through POST /message at a steady rate, throughput of a
// flood beside the agent stand-in read directly, and 100 concurrent runs on one `wrangler dev`
// (all complete, no event lost or repeated, workerd memory). The agent stand-in's `trickle`
// scenario stamps each event with its send time (same process, same clock as the reader here).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { concurrent } from "./concurrent-runs.mjs";
import { quantile } from "./harness.mjs";
import { cpuProfile, profileSummary } from "./probes.mjs";
import { cpuMs, EVENT_BYTES, marker, ms, runDirect, runThroughUs } from "./runs.mjs";

const USER = "dev-user";
const LATENCY = { events: 1000, rate: 200 };
const FLOOD = { events: 10_000 };

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
  const ended = r.kinds.at(-1) === "done";
  if (r.trickle.length !== LATENCY.events || r.errors.length || !ended)
    rows.push({
      figure: "latency run: events received",
      value:
        `${r.trickle.length} of ${LATENCY.events}${ended ? "" : ", no done"}` +
        `${r.errors.length ? `, errors ${r.errors.join(", ")}` : ""}`,
      ok: false,
    });
  rows.push({
    figure: "latency from the agent stand-in directly, p50 / p99 / max",
    value: `${ms(quantile(base, 0.5))} / ${ms(quantile(base, 0.99))} / ${ms(Math.max(...base))}`,
  });
  if (process.env.BENCH_PROFILE === "busy") {
    const { profile } = await cpuProfile(stack, () => latencyUnderLoad(stack, token, rows));
    const file = path.join(os.tmpdir(), "appbuilder-bench-busy.cpuprofile");
    if (profile) fs.writeFileSync(file, JSON.stringify(profile));
    rows.push({ figure: "profile of the busy latency run", value: `→ ${file}` });
  } else {
    await latencyUnderLoad(stack, token, rows);
  }
}

/** The same measured run while BUSY.runs other runs stream (other apps, same Worker). */
const BUSY = { runs: 20, events: 150, rate: 25 };
async function latencyUnderLoad(stack, token, rows) {
  const others = Array.from({ length: BUSY.runs }, (_, i) =>
    runThroughUs(stack, token, `busy ${i} ${marker(BUSY.events, BUSY.rate)}`),
  );
  await new Promise((r) => setTimeout(r, 500)); // the others are streaming
  const r = await runThroughUs(stack, token, `latency busy ${marker(LATENCY.events, LATENCY.rate)}`);
  const done = await Promise.all(others);
  const lat = r.trickle.map((e) => e.at - e.sent);
  const p99 = quantile(lat, 0.99);
  const whole = done.filter((o) => o.kinds.at(-1) === "done" && o.trickle.length === BUSY.events).length;
  rows.push({
    figure: `latency while ${BUSY.runs} other runs stream (${BUSY.events} events at ${BUSY.rate}/s each), p50 / p99 / max`,
    value: `${ms(quantile(lat, 0.5))} / ${ms(p99)} / ${ms(Math.max(...lat))}  (others whole: ${whole}/${BUSY.runs})`,
    target: "p99 ≤ 25 ms",
    ok: r.trickle.length === LATENCY.events && p99 <= 25 && whole === BUSY.runs,
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
    rows.push({
      figure: "the Worker's local state (Durable Objects' SQLite, Workflows; see harness stateRoot)",
      value: `${path.dirname(stack.stateDir)}${stack.stateDir.startsWith("/dev/shm/") ? " (RAM disk)" : ""}`,
    });
    await latency(stack, token, rows);
    await flood(stack, token, rows);
    if (process.env.BENCH_PROFILE === "1") await profiledFlood(stack, token, rows);
    await concurrent(stack, token, rows);
    return rows;
  },
};
