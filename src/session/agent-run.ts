import { createParser } from "eventsource-parser";
import type { Config } from "../config";
import { type Tree, treeEntries } from "../lib/tree";
import type { Logger } from "../logger";
import { AgentUnavailableError, agentRequestBody, openAgentStream } from "./agent-client";
import { diffStat } from "./diff";
import type { AgentEvent, DiffStatEntry, RunError, RunIds } from "./events";
import type { SessionStorage } from "./storage";

/** Longest line (one SSE event) the agent may send: a full diff or agent state fits easily. */
export const MAX_AGENT_LINE_CHARS = 32 * 1024 * 1024;

class LineTooLongError extends Error {}

/**
 * Hands the parser complete lines only. The parser rescans an unfinished line on every feed, so a
 * multi-megabyte event (a full diff, a large agent state) arriving in KB-sized chunks would cost
 * quadratic time; held back until its newline, it is parsed once. A line that never ends is
 * bounded: past MAX_AGENT_LINE_CHARS the run ends (agent_protocol) instead of exhausting memory.
 */
class LineBuffer {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly feed: (text: string) => void,
    private readonly max: number,
  ) {}

  push(chunk: string): void {
    const nl = chunk.lastIndexOf("\n");
    if (nl === -1) {
      this.parts.push(chunk);
      this.size += chunk.length;
      if (this.size > this.max) throw new LineTooLongError();
      return;
    }
    this.parts.push(chunk.slice(0, nl + 1));
    const complete = this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
    this.parts = nl + 1 < chunk.length ? [chunk.slice(nl + 1)] : [];
    this.size = nl + 1 < chunk.length ? chunk.length - nl - 1 : 0;
    this.feed(complete);
  }

  end(): void {
    if (this.parts.length) this.feed(this.parts.join(""));
    this.parts = [];
  }
}

/** Where the reader puts what it reads; it never changes the run's state itself. */
export interface ParsedEvent {
  event: AgentEvent;
  stat: DiffStatEntry[] | null;
}

export interface AgentSink {
  /** The events parsed from one chunk of the agent's stream, in order (logged together). */
  logEvents(events: ParsedEvent[]): void;
  debug(data: { level: string; log: string }): void;
  /** Bytes arrived at `at` (the watchdog's evidence that the agent is alive). */
  touch(at: number): void;
}

export interface AgentRequest {
  body: string;
  /** The tree the agent's final diff applies to. */
  base: Tree;
}

/** How the agent's stream ended: its final (idle) event, or an error that ends the run. */
export type AgentOutcome =
  | { type: "idle"; event: AgentEvent; raw: string }
  | { type: "failed"; error: RunError; refund: boolean };

export interface AgentRun {
  runId: string;
  /** Never rejects: every way the stream can end is an outcome. */
  done: Promise<AgentOutcome>;
  /** Aborts the agent call while its stream is open; false once the idle event has arrived. */
  cancel(): boolean;
  timeout(): void;
}

const TOUCH_EVERY_MS = 5_000;
/** The most one read of the agent's stream takes: whatever has arrived, up to this. */
const READ_BUFFER_BYTES = 256 * 1024;

interface ByteReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/**
 * Reads the stream into one reused buffer of READ_BUFFER_BYTES (a BYOB reader): each read takes
 * all that has arrived, where the default reader hands over a few KiB at a time. Fewer, larger
 * reads mean fewer parser calls, larger storage batches and fewer writes to readers per event.
 * A stream without BYOB support is read the default way.
 */
function byteReader(stream: ReadableStream<Uint8Array>): ByteReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    return stream.getReader();
  }
  let buffer = new ArrayBuffer(READ_BUFFER_BYTES);
  return {
    async read() {
      const r = await byob.read(new Uint8Array(buffer));
      // The buffer was transferred into the read; the view's own buffer is the one to reuse
      // (its bytes are decoded before the next read).
      if (r.value) buffer = r.value.buffer as ArrayBuffer;
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value! };
    },
    cancel: () => byob.cancel(),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const optional = (v: unknown, t: "string") => v === undefined || v === null || typeof v === t;

/** The fields the service reads from an event, with the JSON types it reads them as. */
function isAgentEvent(v: unknown): v is AgentEvent {
  if (!isObj(v) || (v.status !== "running" && v.status !== "idle")) return false;
  const m = v.message;
  if (!isObj(m) || typeof m.kind !== "string") return false;
  return wellTyped(m);
}

function wellTyped(m: Record<string, unknown>): boolean {
  const msgs = m.messages;
  const msgsOk =
    msgs === undefined ||
    msgs === null ||
    (Array.isArray(msgs) && msgs.every((x) => isObj(x) && optional(x.content, "string")));
  return (
    msgsOk &&
    optional(m.unifiedDiff, "string") &&
    optional(m.app_name, "string") &&
    optional(m.commit_message, "string")
  );
}

/** An idle event with the right shape except for the types of its fields (docs/decisions.md, Round 3). */
function isMistypedIdle(v: unknown): boolean {
  if (!isObj(v) || v.status !== "idle") return false;
  const m = v.message;
  return isObj(m) && typeof m.kind === "string" && !wellTyped(m);
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

/** The agent request for the session's current state, and the tree its diff will apply to. */
export function agentRequest(
  store: SessionStorage,
  ids: RunIds,
  input: { techStack: string; settings: Record<string, unknown> },
): AgentRequest {
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
    templateId: input.techStack,
    settings: input.settings,
  });
  return { body, base };
}

interface StreamState {
  streaming: boolean;
  stopReason: "cancelled" | "timeout" | null;
}

export interface AgentRunInput {
  runId: string;
  config: Config;
  body: string;
  idleTimeoutMs: number;
  /** MAX_AGENT_LINE_CHARS unless a test lowers it. */
  maxLineChars?: number;
  logger: Logger;
  sink: AgentSink;
}

export function runAgent(input: AgentRunInput): AgentRun {
  const abort = new AbortController();
  const state: StreamState = { streaming: true, stopReason: null };
  const stop = (reason: "cancelled" | "timeout") => {
    if (!state.streaming || state.stopReason) return false;
    state.stopReason = reason;
    abort.abort(reason);
    return true;
  };
  const failed = (err: unknown): AgentOutcome => {
    input.logger.error("agent reader failed", { err });
    return {
      type: "failed",
      error: { code: "internal", message: "The run failed unexpectedly" },
      refund: false,
    };
  };
  return {
    runId: input.runId,
    cancel: () => stop("cancelled"),
    timeout: () => void stop("timeout"),
    done: read(input, abort.signal, state, () => stop("timeout")).catch(failed),
  };
}

function stopError(input: AgentRunInput, state: StreamState): RunError | null {
  if (state.stopReason === "cancelled") return { code: "cancelled", message: "The run was cancelled" };
  if (state.stopReason === "timeout") {
    return {
      code: "agent_timeout",
      message: `The agent sent nothing for ${Math.round(input.idleTimeoutMs / 1000)} s`,
    };
  }
  return null;
}

const protocol = (message: string): AgentOutcome => ({
  type: "failed",
  error: { code: "agent_protocol", message },
  refund: false,
});

async function read(
  input: AgentRunInput,
  signal: AbortSignal,
  state: StreamState,
  timeout: () => void,
): Promise<AgentOutcome> {
  const { sink } = input;
  const maxLine = input.maxLineChars ?? MAX_AGENT_LINE_CHARS;
  // A fault of ours while handing an event on (a storage error) is not the agent's: `internal`.
  let sinkFault: unknown;
  // AGENT_IDLE_TIMEOUT_S counts from sending the request; every byte restarts it.
  let lastByte = Date.now();
  let lastTouch = lastByte;
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastByte > input.idleTimeoutMs) timeout();
    },
    Math.min(1_000, Math.max(50, input.idleTimeoutMs / 4)),
  );

  let idle: { event: AgentEvent; raw: string } | null = null;
  let mistypedIdle = false;
  let malformed = 0;
  // Events parsed from one chunk are handed on together, once the chunk is parsed.
  let batch: ParsedEvent[] = [];
  const handOn = () => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    try {
      sink.logEvents(events);
    } catch (err) {
      sinkFault = err;
      throw err;
    }
  };
  const parser = createParser({
    onEvent: (message) => {
      if (idle || mistypedIdle) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        parsed = undefined;
      }
      if (!isAgentEvent(parsed)) {
        if (isMistypedIdle(parsed)) {
          mistypedIdle = true;
          return;
        }
        malformed++;
        handOn(); // what came before the skipped line goes out before its debug line
        sink.debug({ level: "warn", log: "Skipped a line from the agent that is not a valid event" });
        return;
      }
      if (parsed.message.kind === "KeepAlive") return;
      if (parsed.status === "idle") {
        idle = { event: parsed, raw: message.data };
        return;
      }
      const diff = parsed.message.unifiedDiff;
      batch.push({ event: parsed, stat: diff ? diffStat(diff) : null });
    },
  });

  try {
    const stream = await openAgentStream(input.config, input.body, signal);
    // Decoded here rather than through a TextDecoderStream: one stream hop less per chunk.
    const decoder = new TextDecoder();
    const reader = byteReader(stream);
    const lines = new LineBuffer((text) => parser.feed(text), maxLine);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          const rest = decoder.decode();
          if (rest) lines.push(rest);
          lines.end();
          handOn();
          break;
        }
        lastByte = Date.now();
        if (lastByte - lastTouch > TOUCH_EVERY_MS) {
          lastTouch = lastByte;
          sink.touch(lastByte);
        }
        lines.push(decoder.decode(value, { stream: true }));
        handOn();
        if (idle || mistypedIdle) break;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  } catch (err) {
    state.streaming = false;
    const stop = stopError(input, state);
    if (stop) return { type: "failed", error: stop, refund: false };
    if (err instanceof AgentUnavailableError) {
      input.logger.warn("agent unavailable", { err, status: err.status });
      return { type: "failed", error: { code: "agent_unavailable", message: err.message }, refund: true };
    }
    if (err instanceof LineTooLongError) {
      return protocol(`The agent sent an event longer than ${maxLine} characters`);
    }
    if (sinkFault) {
      input.logger.error("an agent event could not be logged", { err: sinkFault });
      return {
        type: "failed",
        error: { code: "internal", message: "The run failed unexpectedly" },
        refund: false,
      };
    }
    // The stream had started: a broken connection is a stream that ended without its idle event.
    input.logger.warn("agent stream broke", { err });
    return protocol("The agent's stream broke before the run finished");
  } finally {
    clearInterval(watchdog);
  }
  state.streaming = false;
  const stop = stopError(input, state);
  if (stop) return { type: "failed", error: stop, refund: false };
  if (mistypedIdle) {
    return protocol(
      "The agent's final event has fields of the wrong type (unifiedDiff, messages or app_name)",
    );
  }
  if (!idle) {
    const detail = malformed > 0 ? ` (${malformed} malformed line${malformed > 1 ? "s" : ""} skipped)` : "";
    return protocol(`The agent's stream ended before the run finished${detail}`);
  }
  return { type: "idle", ...(idle as { event: AgentEvent; raw: string }) };
}
