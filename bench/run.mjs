// `npm run bench [-- section…]`: starts its own local stack (throwaway Postgres, every stand-in,
// wrangler dev, all on free ports), runs the sections, prints their figures, stops everything.
// Figures, not a timed test: nothing here fails on a slow machine; a missed target is marked.
import { onShutdownSignal } from "../dev/stack.mjs";
import { foundation } from "./foundation.mjs";
import { generation } from "./generation.mjs";
import { geography } from "./geography.mjs";
import { startBenchStack } from "./harness.mjs";
import { publishing } from "./publishing.mjs";

// Each section: { name, title, run(stack) → rows [{ figure, value, target?, ok? }] }.
// Add one by importing it and listing it here.
// Publishing before generation: it waits for its deployments, so later figures start quiet;
// the concurrent runs' deployments are left to end with the stack.
const SECTIONS = [foundation, geography, publishing, generation];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown section ${unknown.join(", ")}; sections: ${SECTIONS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const sections = wanted.length ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;

function printTable(title, rows) {
  const cells = rows.map((r) => [
    r.figure,
    String(r.value),
    r.target ?? "",
    r.ok === undefined ? "" : r.ok ? "ok" : "MISSED",
  ]);
  const head = ["figure", "value", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(`\n== ${title}`);
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const c of cells) console.log(line(c));
}

let stack;
let stopping = false;
const wranglerLog = []; // the last lines, shown when something fails
const errorLog = []; // the Worker's error lines, for a failed run's diagnosis
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stack?.stop();
  process.exit(code);
}
onShutdownSignal(() => stop(130));
process.on("exit", () => {
  if (stack?.wrangler.isRunning()) {
    try {
      process.kill(-stack.wrangler.pid, "SIGKILL");
    } catch {}
  }
});

try {
  const t0 = Date.now();
  stack = await startBenchStack({
    log: (l) => {
      wranglerLog.push(l);
      if (wranglerLog.length > 200) wranglerLog.shift();
      if (l.includes('"level":"error"')) {
        errorLog.push(l);
        if (errorLog.length > 2000) errorLog.shift();
      }
    },
  });
  stack.errorLog = errorLog;
  console.log(`stack ready in ${Date.now() - t0} ms (Worker on ${stack.base})`);
  let missed = 0;
  for (const section of sections) {
    const rows = await section.run(stack);
    missed += rows.filter((r) => r.ok === false).length;
    printTable(section.title, rows);
  }
  console.log(`\n${missed ? `${missed} target(s) missed` : "all targets met"}`);
  await stop(0);
} catch (err) {
  if (wranglerLog.length) console.error(`last wrangler output:\n${wranglerLog.slice(-40).join("\n")}`);
  console.error("bench failed:", err);
  await stop(1);
}
