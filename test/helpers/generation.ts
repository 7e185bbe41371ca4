import { expect } from "vitest";
import { call } from "./api";
import { clientFor } from "./client";
import { standInUrl } from "./env";
import { isDone, readSse, type SseEvent, type SseRead } from "./sse";
import type { TestUser } from "./users";

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

const errorCode = (r: SseRead) =>
  (r.events.find((e) => e.event === "error")?.json as { code: string } | undefined)?.code;

/**
 * The run ended cleanly: error then done, app idle, and the lock given back — the same app accepts
 * another message (200) whose stream runs to `done` without an error.
 */
export async function expectEndedAndReusable(user: TestUser, appId: string, r: SseRead, code: string) {
  expect(names(r).slice(-2)).toEqual(["error", "done"]);
  expect(errorCode(r)).toBe(code);
  await expectIdleAndReusable(user, appId);
}

/** The app reads idle and accepts another message (200) whose stream runs to `done` without an error. */
export async function expectIdleAndReusable(user: TestUser, appId: string) {
  const until = Date.now() + 5_000;
  let status = "";
  while (Date.now() < until) {
    const app = await clientFor(user.token).get("/apps/{id}", { path: { id: appId } });
    status = app.data.runStatus;
    if (status === "idle") break;
    await new Promise((res) => setTimeout(res, 100));
  }
  expect(status).toBe("idle");
  const next = await runToDone("[scenario:refine] and now?", { token: user.token, applicationId: appId });
  expect(next.res.status).toBe(200);
  expect(names(next).at(-1)).toBe("done");
  expect(errorCode(next)).toBeUndefined();
}
