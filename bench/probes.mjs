// What the benchmark reads about the running stack besides HTTP: the workerd processes of
// `wrangler dev` (from /proc) and the Worker isolate's CPU profile (DevTools protocol).
import fs from "node:fs";

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
 * A DevTools protocol session on wrangler's inspector (the Worker's isolate; its Durable Objects
 * run in it too): `send(method, params, deadlineMs)` → the answer, or null past the deadline.
 */
async function openInspector(inspectorPort) {
  const { default: WebSocket } = await import("ws");
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  if (!targets[0]?.webSocketDebuggerUrl) throw new Error("wrangler's inspector lists no target");
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
 * Turns off the DevTools Network domain that `wrangler dev` enables on the Worker's runtime for
 * its Network tab: with it on, every subrequest and every chunk of every body is reported to
 * wrangler's inspector proxy (in its other workerd), which costs both processes CPU per event
 * relayed (about 70 ms of the Worker's and 130 ms of the proxy's per 1,000 1 KiB events). A
 * deployed Worker has no inspector, so the figures are taken without it. The session stays open
 * (closing it could let the proxy enable the domain again) and is the one cpuProfile uses: the
 * proxy serves one DevTools client at a time. Returns it: { send, close }.
 */
export async function devtoolsNetworkOff(inspectorPort) {
  const inspector = await openInspector(inspectorPort);
  // The proxy forwards the command and may only echo it: no answer is awaited beyond a moment.
  await inspector.send("Network.disable", {}, 500);
  return inspector;
}

/**
 * Samples the Worker isolate's CPU while `fn` runs. Returns fn's value and the V8 CPU profile
 * (null if the inspector gave none; save it as .cpuprofile to open it in Chrome DevTools).
 */
export async function cpuProfile(stack, fn, { intervalUs = 200 } = {}) {
  const { inspector } = stack;
  await inspector.send("Profiler.enable", {}, 1_000);
  await inspector.send("Profiler.setSamplingInterval", { interval: intervalUs }, 1_000);
  await inspector.send("Profiler.start", {}, 1_000);
  const value = await fn();
  const stopped = await inspector.send("Profiler.stop", {}, 60_000);
  await inspector.send("Profiler.disable", {}, 1_000);
  return { value, profile: stopped?.result?.profile ?? null };
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
