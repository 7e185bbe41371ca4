// 100 concurrent runs streaming at once on one `wrangler dev`: every run complete and whole (ids
// contiguous, each event once, `done` last), how long they take, and the workerd processes' memory.
import { apiClient, quantile } from "./harness.mjs";
import { byRole, marker, mib, ms, now, runThroughUs } from "./runs.mjs";

const CONCURRENT = { runs: 100, events: 100, rate: 50 };

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
  const log = apiClient(stack.base, token).followEvents(r.appId, {
    after: 0,
    signal: AbortSignal.timeout(3_000),
  });
  try {
    for await (const e of log) {
      kinds.push(e.event === "message" ? (e.data.metadata?.type ?? e.data.message.kind) : e.event);
    }
  } catch {
    // What came before the deadline (or an error answer) is what the report shows.
  }
  const records = await (
    await fetch(`${stack.standInUrl("agent")}/__dev/requests?applicationId=${r.appId}`)
  ).json();
  const agent =
    records.map((x) => `${x.status} ${x.outcome} ${x.eventsSent} events`).join(", ") || "no request";
  const logged = (stack.errorLog ?? []).filter((l) => l.includes(r.appId)).map((l) => l.slice(0, 600));
  return (
    `; log now: ${kinds.length} events, ends ${kinds.slice(-3).join(" → ")}; agent: ${agent}` +
    (logged.length ? `; Worker errors: ${logged.join(" | ")}` : "")
  );
}

export async function concurrent(stack, token, rows) {
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
  rows.push({ figure: "concurrent: agent requests received", value: agent.requests["POST /message"] ?? 0 });
  // WebSocket connections the Worker opened, plus the Postgres sessions the SQL-over-HTTP
  // endpoint opened behind its pool (Neon's proxy pools them the same way).
  const connections = db.connections + db.httpSessions;
  rows.push({
    figure: "concurrent: database connections (WebSocket + HTTP endpoint's sessions) / HTTP queries",
    value: `${connections} (${db.connections} + ${db.httpSessions}) / ${db.httpQueries}`,
    target: "≤ 200",
    ok: connections <= 200,
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
