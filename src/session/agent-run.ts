import { createParser } from "eventsource-parser";
import type { Config } from "../config";
import { withDb } from "../db/client";
import { type Tree, treeEntries } from "../lib/tree";
import type { Logger } from "../logger";
import { refundMessage } from "../services/limits/counter";
import { storeSnapshot } from "../services/snapshots";
import { AgentUnavailableError, agentRequestBody, openAgentStream } from "./agent-client";
import type { BeginInput } from "./app-session";
import { applyUnifiedDiff, diffStat } from "./diff";
import {
  type AgentEvent,
  agentMessageEvent,
  type DiffStatEntry,
  type ErrorCode,
  type PlatformMetadata,
  type RunIds,
} from "./events";
import type { HistoryRow } from "./outbox";
import { queueMirror } from "./outbox";
import { startPublish } from "./publish";
import { rawMember } from "./raw-json";
import type { RunRow, SessionStorage, StoredEvent } from "./storage";

export interface RunContext {
  config: Config;
  env: Env;
  store: SessionStorage;
  run: RunRow;
  ids: RunIds;
  input: BeginInput;
  idleTimeoutMs: number;
  logger: Logger;
  append(event: string, data: string): StoredEvent;
  history(row: Pick<HistoryRow, "prompt" | "kind" | "messageKind" | "metadata">): void;
  debug(data: { level: string; log: string }): void;
  flush(): Promise<void>;
  enterPublishing(): void;
  platform(metadata: PlatformMetadata): Promise<unknown>;
  finish(error: { code: ErrorCode; message: string } | null): Promise<void>;
  touch(at: number): void;
}

export interface AgentRun {
  runId: string;
  done: Promise<void>;
  /** Aborts the agent call while its stream is open; false once the idle event has arrived. */
  cancel(): boolean;
  timeout(): void;
}

const LEGACY_EMPTY_DIFF = "# Note: This is a valid empty diff";
const LEGACY_ERROR_DIFF = "# ERROR GENERATING DIFF";
const TOUCH_EVERY_MS = 5_000;

function isAgentEvent(v: unknown): v is AgentEvent {
  const e = v as AgentEvent;
  return (
    typeof e === "object" &&
    e !== null &&
    (e.status === "running" || e.status === "idle") &&
    typeof e.message === "object" &&
    e.message !== null &&
    typeof e.message.kind === "string"
  );
}

function stateHasStartedBuild(raw: string | null): boolean {
  if (!raw) return false;
  try {
    const state = JSON.parse(raw) as { fsm_state?: unknown } | null;
    return state !== null && typeof state === "object" && state.fsm_state != null;
  } catch {
    return false;
  }
}

interface StreamState {
  streaming: boolean;
  stopReason: "cancelled" | "timeout" | null;
}

export function runAgent(ctx: RunContext): AgentRun {
  const abort = new AbortController();
  const state: StreamState = { streaming: true, stopReason: null };
  const stop = (reason: "cancelled" | "timeout") => {
    if (!state.streaming || state.stopReason) return false;
    state.stopReason = reason;
    abort.abort(reason);
    return true;
  };
  return {
    runId: ctx.run.id,
    cancel: () => stop("cancelled"),
    timeout: () => void stop("timeout"),
    done: execute(ctx, abort.signal, state, () => stop("timeout")),
  };
}

function stopError(ctx: RunContext, state: StreamState): { code: ErrorCode; message: string } | null {
  if (state.stopReason === "cancelled") return { code: "cancelled", message: "The run was cancelled" };
  if (state.stopReason === "timeout") {
    return {
      code: "agent_timeout",
      message: `The agent sent nothing for ${Math.round(ctx.idleTimeoutMs / 1000)} s`,
    };
  }
  return null;
}

async function execute(
  ctx: RunContext,
  signal: AbortSignal,
  state: StreamState,
  timeout: () => void,
): Promise<void> {
  const { store, ids } = ctx;
  const stateRaw = store.getText("agent_state");
  const current = store.hasTree() ? store.readTree() : null;
  // The agent diffs against the files we send only when its state holds a started build.
  const base: Tree = current && stateHasStartedBuild(stateRaw) ? current : new Map();
  const body = agentRequestBody({
    allMessages: store.conversation(),
    applicationId: ids.appId,
    traceId: ids.traceId,
    agentStateRaw: stateRaw,
    allFiles: current ? treeEntries(current) : null,
    templateId: ctx.input.techStack,
    settings: ctx.input.settings,
  });

  // AGENT_IDLE_TIMEOUT_S counts from sending the request; every byte restarts it.
  let lastByte = Date.now();
  let lastTouch = lastByte;
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastByte > ctx.idleTimeoutMs) timeout();
    },
    Math.min(1_000, Math.max(50, ctx.idleTimeoutMs / 4)),
  );

  let idle: { event: AgentEvent; raw: string } | null = null;
  let malformed = 0;
  const parser = createParser({
    onEvent: (message) => {
      if (idle) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        parsed = undefined;
      }
      if (!isAgentEvent(parsed)) {
        malformed++;
        ctx.debug({ level: "warn", log: "Skipped a line from the agent that is not a valid event" });
        return;
      }
      if (parsed.message.kind === "KeepAlive") return;
      if (parsed.status === "idle") {
        idle = { event: parsed, raw: message.data };
        return;
      }
      forward(ctx, parsed, parsed.message.unifiedDiff ? diffStat(parsed.message.unifiedDiff) : null);
    },
  });

  try {
    const stream = await openAgentStream(ctx.config, body, signal);
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        lastByte = Date.now();
        if (lastByte - lastTouch > TOUCH_EVERY_MS) {
          lastTouch = lastByte;
          ctx.touch(lastByte);
        }
        parser.feed(value);
        if (idle) break;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  } catch (err) {
    state.streaming = false;
    const stop = stopError(ctx, state);
    if (stop) return ctx.finish(stop);
    if (err instanceof AgentUnavailableError) {
      await refund(ctx);
      return ctx.finish({ code: "agent_unavailable", message: err.message });
    }
    // The stream had started: a broken connection is a stream that ended without its idle event.
    ctx.logger.warn("agent stream broke", { err });
    return ctx.finish({
      code: "agent_protocol",
      message: "The agent's stream broke before the run finished",
    });
  } finally {
    clearInterval(watchdog);
  }
  state.streaming = false;
  const stop = stopError(ctx, state);
  if (stop) return ctx.finish(stop);
  if (!idle) {
    const detail = malformed > 0 ? ` (${malformed} malformed line${malformed > 1 ? "s" : ""} skipped)` : "";
    return ctx.finish({
      code: "agent_protocol",
      message: `The agent's stream ended before the run finished${detail}`,
    });
  }
  return completeIdle(ctx, idle, base);
}

async function refund(ctx: RunContext): Promise<void> {
  const day = ctx.run.countedDay ?? ctx.input.countedDay;
  if (!day) return;
  try {
    await withDb(ctx.config, (db) => refundMessage(db, ctx.run.userId, day));
  } catch (err) {
    ctx.logger.error("refund failed", { err });
  }
}

function forward(ctx: RunContext, e: AgentEvent, stat: DiffStatEntry[] | null): void {
  ctx.append("message", JSON.stringify(agentMessageEvent(ctx.ids, e, stat)));
  for (const m of e.message.messages ?? []) {
    ctx.history({
      prompt: String(m.content ?? ""),
      kind: "assistant",
      messageKind: e.message.kind,
      metadata: null,
    });
  }
}

function remember(ctx: RunContext, e: AgentEvent, raw: string): void {
  const { kind, messages } = e.message;
  ctx.store.appendConversation({
    role: "assistant",
    kind,
    messages: (messages ?? []).map((m) => ({ role: "assistant", content: String(m.content ?? "") })),
  });
  const state = rawMember(raw, ["message", "agentState"]);
  if (state !== undefined && state !== "null") ctx.store.putText("agent_state", state);
}

async function completeIdle(
  ctx: RunContext,
  idle: { event: AgentEvent; raw: string },
  base: Tree,
): Promise<void> {
  const { event } = idle;
  const msg = event.message;
  const diff = msg.unifiedDiff;
  if (msg.kind === "RuntimeError") {
    forward(ctx, event, null);
    const text = (msg.messages ?? []).map((m) => m.content).join("\n") || "The agent reported an error";
    return ctx.finish({ code: "agent_error", message: text });
  }
  if (diff?.trimStart().startsWith(LEGACY_ERROR_DIFF)) {
    forward(ctx, event, null);
    return ctx.finish({ code: "agent_error", message: "The agent could not generate the code" });
  }
  const hasDiff = !!diff && diff.trim() !== "" && !diff.trimStart().startsWith(LEGACY_EMPTY_DIFF);
  if (!hasDiff) {
    forward(ctx, event, null);
    remember(ctx, event, idle.raw);
    return ctx.finish(null);
  }
  const applied = applyUnifiedDiff(base, diff);
  if (!applied.ok) {
    forward(ctx, event, null);
    return ctx.finish({
      code: applied.code === "agent_error" ? "agent_error" : "patch_failed",
      message: applied.reason,
    });
  }
  forward(ctx, event, applied.diffStat);
  if (applied.changed.length === 0 && applied.deleted.length === 0) {
    remember(ctx, event, idle.raw);
    return ctx.finish(null);
  }
  const version = Number(ctx.store.getMeta("version") ?? "0") + 1;
  try {
    await storeSnapshot(ctx.config, { appId: ctx.ids.appId, version, tree: applied.tree });
  } catch (err) {
    ctx.logger.error("snapshot upload failed", { err, version });
    return ctx.finish({
      code: "internal",
      message: "The new version could not be stored; nothing was changed",
    });
  }
  // The version exists once its snapshot does: only now does the app's tree move.
  ctx.store.replaceTree(applied.tree);
  ctx.store.setMeta("version", String(version));
  ctx.store.updateRun(ctx.run.id, { version });
  remember(ctx, event, idle.raw);
  const appName = msg.app_name ?? undefined;
  if (appName) ctx.store.setMeta("app_name", appName);
  queueMirror(ctx.store, { snapshotVersion: version, ...(appName ? { appName } : {}) });
  ctx.enterPublishing();
  await ctx.flush();
  try {
    await startPublish(ctx.env, {
      appId: ctx.ids.appId,
      version,
      ownerId: ctx.run.userId,
      traceId: ctx.ids.traceId,
      appName: appName ?? ctx.store.getMeta("app_name") ?? `app-${ctx.ids.appId.slice(0, 8)}`,
      commitMessage: msg.commit_message ?? `Version ${version}`,
      skippedPaths: applied.skippedPaths,
    });
  } catch (err) {
    ctx.logger.error("publish could not start", { err, version });
    await ctx.platform({
      type: "publish_failed",
      step: "start",
      reason: "The publishing step could not be started",
    });
  }
}
