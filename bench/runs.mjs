// One generation run, read as a client reads it (POST /message) or as the Worker reads the agent
// (the agent stand-in's POST /message with its credentials): every event with its receive time,
// and the send time the stand-in's `trickle` scenario stamps on each event (same process, same
// clock as the reader here).
import { sseRequest } from "./harness.mjs";

export const EVENT_BYTES = 1024;

export const now = () => performance.timeOrigin + performance.now();
export const ms = (n) => `${n.toFixed(1)} ms`;
export const mib = (kib) => `${(kib / 1024).toFixed(kib < 10 * 1024 ? 1 : 0)} MiB`;
export const marker = (events, rate) =>
  `[scenario:trickle events=${events} size=${EVENT_BYTES} rate=${rate}]`;

/** The agent's send time carried by a trickle event's content, or null for other events. */
function sentAt(content) {
  if (typeof content !== "string" || !content.startsWith("t=")) return null;
  return Number(content.slice(2, content.indexOf(" ")));
}

/**
 * One run through POST /message: every event with its receive time, the trickle events' send
 * times, and when the agent's idle event and `done` came.
 */
export async function runThroughUs(stack, token, text, { timeoutMs = 180_000 } = {}) {
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
export async function runDirect(stack, text) {
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
export function byRole(stack, field) {
  const publicPort = Number(new URL(stack.base).port);
  const out = { proxy: 0, worker: 0 };
  for (const p of stack.workerd()) out[p.listens.includes(publicPort) ? "proxy" : "worker"] += p[field];
  return out;
}
export const cpuMs = (stack) => byRole(stack, "cpuMs");
