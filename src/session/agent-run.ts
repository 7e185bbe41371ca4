import { createParser } from "eventsource-parser";
import type { Config } from "../config";
import { withDb } from "../db/client";
import { type Tree, treeEntries } from "../lib/tree";
import type { Logger } from "../logger";
import { refundMessage } from "../services/limits/counter";
import { AgentUnavailableError, agentRequestBody, openAgentStream } from "./agent-client";
import type { BeginInput } from "./app-session";
import { completeIdle, forward } from "./complete-run";
import { diffStat } from "./diff";
import type { AgentEvent, ErrorCode, PlatformMetadata, RunIds } from "./events";
import type { RunRow, SessionStorage, StoredEvent } from "./storage";

/**
 * Hands the parser complete lines only. The parser rescans an unfinished line on every feed, so a
 * multi-megabyte event (a full diff, a large agent state) arriving in KB-sized chunks would cost
 * quadratic time; held back until its newline, it is parsed once.
 */
class LineBuffer {
  private parts: string[] = [];

  constructor(private readonly feed: (text: string) => void) {}

  push(chunk: string): void {
    const nl = chunk.lastIndexOf("\n");
    if (nl === -1) {
      this.parts.push(chunk);
      return;
    }
    this.parts.push(chunk.slice(0, nl + 1));
    const complete = this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
    this.parts = nl + 1 < chunk.length ? [chunk.slice(nl + 1)] : [];
    this.feed(complete);
  }

  end(): void {
    if (this.parts.length) this.feed(this.parts.join(""));
    this.parts = [];
  }
}

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
    const lines = new LineBuffer((text) => parser.feed(text));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          lines.end();
          break;
        }
        lastByte = Date.now();
        if (lastByte - lastTouch > TOUCH_EVERY_MS) {
          lastTouch = lastByte;
          ctx.touch(lastByte);
        }
        lines.push(value);
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
  const day = ctx.input.countedDay;
  if (!day) return;
  try {
    await withDb(ctx.config, (db) => refundMessage(db, ctx.run.userId, day));
  } catch (err) {
    ctx.logger.error("refund failed", { err });
  }
}
