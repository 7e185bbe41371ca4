import type { RunErrorCode } from "../errors";

/** Wire shapes of the events a client reads (docs/decisions.md, Events). */

export interface DiffStatEntry {
  path: string;
  insertions: number;
  deletions: number;
}

export interface AgentMessage {
  role: "assistant";
  kind: string;
  messages: { role: "assistant"; content: string }[] | null;
  agentState: unknown;
  unifiedDiff: string | null;
  app_name: string | null;
  commit_message: string | null;
}

export interface AgentEvent {
  status: "running" | "idle";
  traceId: string;
  message: AgentMessage;
  timestamp: string;
}

export type PlatformType =
  | "repo_created"
  | "commit_created"
  | "publish_failed"
  | "deployment_in_progress"
  | "deployment_complete"
  | "deployment_failed"
  | "version_restored";

export interface PlatformMetadata {
  type: PlatformType;
  githubUrl?: string;
  commitUrl?: string;
  commitSha?: string;
  deploymentId?: string;
  deploymentUrl?: string;
  deployStatus?: string;
  reason?: string;
  /** On `deployment_failed`: the path of the logs of the stage that failed (build or runtime). */
  logsUrl?: string;
  step?: string;
  skippedPaths?: string[];
  skipped?: Array<{ path: string; reason: string }>;
  /** `version_restored`: the new version, and the one whose files it holds. */
  version?: number;
  restoredFrom?: number;
}

/** Why a run ended without success: sent to readers as its `error` event. */
export interface RunError {
  code: RunErrorCode;
  message: string;
}

export interface RunIds {
  traceId: string;
  appId: string;
  techStack: string;
}

/** The last second whose agent timestamps were checked, and its ISO form without the fraction. */
let checkedSecond = { agent: "", iso: "" };

/**
 * The agent's timestamp has no zone (it is UTC) and microseconds; ours is ISO with `Z` and
 * milliseconds. The date itself is checked once per second of timestamps (events come in bursts).
 */
export function isoFromAgent(ts: string | undefined): string {
  if (ts) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?$/.exec(ts);
    if (m) {
      const second = m[1]!;
      if (checkedSecond.agent !== second) {
        const d = new Date(`${second}Z`);
        if (Number.isNaN(d.getTime())) return new Date().toISOString();
        checkedSecond = { agent: second, iso: d.toISOString().slice(0, 19) };
      }
      return `${checkedSecond.iso}.${(m[2] ?? ".000").slice(1, 4).padEnd(3, "0")}Z`;
    }
  }
  return new Date().toISOString();
}

export function agentMessageEvent(ids: RunIds, e: AgentEvent, diffStat: DiffStatEntry[] | null) {
  return {
    status: e.status,
    traceId: ids.traceId,
    appId: ids.appId,
    techStack: ids.techStack,
    createdAt: isoFromAgent(e.timestamp),
    message: {
      kind: e.message.kind,
      messages: (e.message.messages ?? []).map((m) => ({
        role: "assistant" as const,
        content: String(m.content ?? ""),
      })),
      app_name: e.message.app_name ?? null,
      commit_message: e.message.commit_message ?? null,
      diffStat,
    },
  };
}

export function platformText(meta: PlatformMetadata): string {
  switch (meta.type) {
    case "repo_created":
      return `Repository created: ${meta.githubUrl ?? ""}`.trim();
    case "commit_created":
      return `Changes committed: ${meta.commitUrl ?? ""}`.trim();
    case "publish_failed":
      return `Publishing the code failed at ${meta.step ?? "a step"}: ${meta.reason ?? "unknown reason"}`;
    case "deployment_in_progress":
      return "Deployment started";
    case "deployment_complete":
      return `Your application is live at ${meta.deploymentUrl ?? ""}`.trim();
    case "deployment_failed":
      return `Deployment failed: ${meta.reason ?? "unknown reason"}`;
    case "version_restored":
      return `Version ${meta.restoredFrom ?? "?"} restored as version ${meta.version ?? "?"}`;
  }
}

export function platformMessageEvent(ids: RunIds, meta: PlatformMetadata) {
  return {
    status: "idle" as const,
    traceId: ids.traceId,
    appId: ids.appId,
    techStack: ids.techStack,
    createdAt: new Date().toISOString(),
    message: {
      kind: "PlatformMessage" as const,
      messages: [{ role: "assistant" as const, content: platformText(meta) }],
      app_name: null,
      commit_message: null,
      diffStat: null,
    },
    metadata: meta,
  };
}

export function errorEvent(ids: RunIds, code: RunErrorCode, message: string) {
  return { code, message, traceId: ids.traceId, appId: ids.appId };
}

export function doneEvent(ids: RunIds) {
  return { done: true as const, traceId: ids.traceId, appId: ids.appId };
}
