import { call } from "./api";
import { standInUrl } from "./env";
import { isDone, readSse, type SseEvent, type SseRead } from "./sse";

export interface SendOptions {
  token: string;
  applicationId?: string | null;
  idempotencyKey?: string;
  body?: Record<string, unknown>;
}

export function sendMessage(message: string, opts: SendOptions): Promise<Response> {
  return call("POST", "/message", {
    token: opts.token,
    body: { message, applicationId: opts.applicationId ?? null, ...opts.body },
    headers: opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {},
  });
}

/** Sends a message and reads its stream to `done`. */
export async function runToDone(message: string, opts: SendOptions & { timeoutMs?: number }) {
  const res = await sendMessage(message, opts);
  if (res.status !== 200) throw new Error(`POST /message answered ${res.status}: ${await res.text()}`);
  const appId = res.headers.get("x-app-id")!;
  const read = await readSse(res, { until: isDone, timeoutMs: opts.timeoutMs ?? 25_000 });
  return { res, appId, ...read };
}

export interface AgentRecord {
  body: {
    allMessages: { role: string; content?: string; kind?: string; messages?: { content: string }[] }[];
    agentState: unknown;
    allFiles: { path: string; content: string }[] | null;
    traceId: string;
    templateId: string;
    settings: unknown;
    applicationId: string;
  };
  raw: string;
  headers: Record<string, string>;
  scenario: string;
  outcome: string;
}

export async function agentRequests(appId: string): Promise<AgentRecord[]> {
  const res = await fetch(`${standInUrl("agent")}/__dev/requests?applicationId=${appId}`);
  return (await res.json()) as AgentRecord[];
}

export const names = (r: SseRead) => r.events.map((e) => e.event);
export const dataOf = <T = Record<string, unknown>>(e: SseEvent) => e.json as T;
export const kindsOf = (r: SseRead) =>
  r.events
    .filter((e) => e.event === "message")
    .map((e) => (e.json as { message: { kind: string } }).message.kind);
