import type { SseMessage } from "./sse.js";

// The events of POST /message and GET /apps/{id}/events (the contract's "Events"). The OpenAPI
// document describes these streams as text only, so their shapes are written here;
// test/client/event-types.test.ts holds them to the Worker's own event builders.

/** Why a run ended without success: the `code` of its `error` event. */
export type RunErrorCode =
  | "agent_error"
  | "agent_unavailable"
  | "agent_protocol"
  | "agent_timeout"
  | "patch_failed"
  | "cancelled"
  | "run_interrupted"
  | "internal";

export type PlatformMessageType =
  | "repo_created"
  | "commit_created"
  | "publish_failed"
  | "deployment_in_progress"
  | "deployment_complete"
  | "deployment_failed"
  | "version_restored";

export interface DiffStatEntry {
  path: string;
  insertions: number;
  deletions: number;
}

export interface AgentMessage {
  /** `StageResult`, `RefinementRequest`, `ReviewResult`, `RuntimeError`, `WipUpdate`, … */
  kind: string;
  messages: { role: "assistant"; content: string }[];
  app_name: string | null;
  commit_message: string | null;
  /** Files changed by the diff the backend applied for this event, else null. */
  diffStat: DiffStatEntry[] | null;
}

interface RunIds {
  traceId: string;
  appId: string;
}

/** Agent progress, forwarded without its diff and state. */
export interface AgentMessageData extends RunIds {
  status: "running" | "idle";
  techStack: string;
  createdAt: string;
  message: AgentMessage;
  /** Only platform messages have metadata: `if (data.metadata)` tells them apart. */
  metadata?: undefined;
}

export interface PlatformMetadata {
  type: PlatformMessageType;
  githubUrl?: string;
  commitUrl?: string;
  commitSha?: string;
  deploymentId?: string;
  deploymentUrl?: string;
  deployStatus?: string;
  reason?: string;
  /** `deployment_failed`: the path of the failed stage's logs (`…/logs?type=build` or `type=runtime`). */
  logsUrl?: string;
  /** The publish step that gave up (`publish_failed`). */
  step?: string;
  /** Files of the version not in the commit (`repo_created`, `commit_created`). */
  skippedPaths?: string[];
  skipped?: { path: string; reason: string }[];
  /** `version_restored`: the new version, and the one whose files it holds. */
  version?: number;
  restoredFrom?: number;
}

/** A message from the platform itself: the repository, the commit, the deployment. */
export interface PlatformMessageData extends RunIds {
  status: "idle";
  techStack: string;
  createdAt: string;
  message: AgentMessage & { kind: "PlatformMessage" };
  metadata: PlatformMetadata;
}

export interface DebugData {
  level: string;
  log: string;
}

export interface RunErrorData extends RunIds {
  code: RunErrorCode;
  message: string;
}

export interface DoneData extends RunIds {
  done: true;
}

/**
 * One event of a run or of an app's log. `id` is the app's event sequence number (integers,
 * contiguous per app); `debug` events (employees only) have none and are not replayed.
 */
export type AppEvent =
  | { event: "message"; id: number; data: AgentMessageData | PlatformMessageData }
  | { event: "debug"; id: undefined; data: DebugData }
  | { event: "error"; id: number; data: RunErrorData }
  | { event: "done"; id: number; data: DoneData };

export type AppEventName = AppEvent["event"];

/** The event of one name, e.g. `EventOf<"error">`. */
export type EventOf<N extends AppEventName> = Extract<AppEvent, { event: N }>;

const NAMES = new Set<string>(["message", "debug", "error", "done"]);

/** The server sent something that is not an event of the contract. */
export class StreamProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamProtocolError";
  }
}

/**
 * A parsed SSE message as a typed event; null for an event name this client does not know (a
 * newer server's), which is skipped. Its data is the server's JSON, not re-validated.
 */
export function toAppEvent(m: SseMessage): AppEvent | null {
  if (!NAMES.has(m.event)) return null;
  let data: unknown;
  try {
    data = JSON.parse(m.data);
  } catch {
    throw new StreamProtocolError(`the data of a \`${m.event}\` event is not JSON`);
  }
  if (m.event === "debug") return { event: "debug", id: undefined, data: data as DebugData };
  const id = Number(m.id);
  if (m.id === undefined || !Number.isSafeInteger(id)) {
    throw new StreamProtocolError(`a \`${m.event}\` event has no integer id`);
  }
  return { event: m.event, id, data } as AppEvent;
}

/** Whether an agent or platform `message` event's data is a platform message. */
export const isPlatformMessage = (
  data: AgentMessageData | PlatformMessageData,
): data is PlatformMessageData => data.metadata !== undefined;
