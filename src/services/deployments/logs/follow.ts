import { type ServiceContext, serviceContext } from "../../../context";
import { toAppError } from "../../../errors";
import { getDeployment } from "../read";
import { encodeCursor, type LogsCursor, type LogsType } from "./cursor";
import { type LogLine, type LogsRequest, MAX_PAGE_CHARS, openReader, refOf, toLines } from "./read";
import {
  type BuildLocation,
  type DeploymentRef,
  readBuildLogs,
  readRuntimeLogs,
  type SourceRead,
} from "./sources";

// A deployment's logs followed live as server-sent events: the lines after the cursor, then new
// ones as the build or the instance writes them (polled, backing off while nothing comes), until
// the logs are complete or the deployment has ended; bounded in time and in upstream calls.

/** Time one stream follows at most. */
export const FOLLOW_MAX_MS = 10 * 60_000;
/** Polls one stream makes at most (a Worker invocation may make ~1,000 subrequests; a poll makes ≤ 4). */
const MAX_POLLS = 200;
const POLL_MIN_MS = 1_000;
const POLL_MAX_MS = 8_000;
const KEEPALIVE_MS = 15_000;
/** Consecutive failed polls before the stream gives up with an `error` event. */
const MAX_FAILURES = 3;
const BATCH_LIMIT = 500;

export type EndReason = "complete" | "deployment_ended" | "limit";

/** The data of a `logs` event; its id is the cursor after these lines. */
export interface LogsEventData {
  lines: LogLine[];
}

/** The data of the last event, `end`; `cursor` (also its id) is null when the logs are complete. */
export interface EndEventData {
  reason: EndReason;
  status: DeploymentRef["status"];
  cursor: string | null;
}

export type FollowedLogs = { status: 204 } | { status: 200; stream: ReadableStream<Uint8Array> };

/**
 * Why following can stop after this read, or null to go on: the logs are complete (the build is
 * over, or the instance is gone, and all was read), or, for the runtime logs, the deployment is
 * healthy and caught up with (the app goes on writing; a later read resumes from the cursor).
 */
export function endOfFollow(type: LogsType, dep: DeploymentRef, read: SourceRead): EndReason | null {
  if (!read.caughtUp) return null;
  if (read.finished) return "complete";
  if (type === "runtime" && dep.status === "healthy") return "deployment_ended";
  return null;
}

function sse(event: "logs", data: LogsEventData, id: string): string;
function sse(event: "end", data: EndEventData, id?: string): string;
function sse(event: "error", data: { code: string; message: string }): string;
function sse(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

class Follower {
  private location: BuildLocation | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    readonly type: LogsType,
    private readonly cursorName: string,
  ) {}

  async read(dep: DeploymentRef, from: LogsCursor): Promise<SourceRead> {
    const limits = { limit: BATCH_LIMIT, maxChars: MAX_PAGE_CHARS, maxCalls: 2 };
    const { ctx } = this;
    if (this.type === "runtime") return readRuntimeLogs({ ctx, input: { dep, from, limits } });
    // CodeBuild is asked until the build has a stream; then again only once the deployment has
    // moved past its build, until CodeBuild says the build is over.
    const known = this.location;
    const reuse = known?.log && (known.complete || ["queued", "building"].includes(dep.status));
    const read = await readBuildLogs({
      ctx,
      input: { dep, from, limits, cursorName: this.cursorName, known: reuse ? known : undefined },
    });
    this.location = read.location;
    return read;
  }
}

export async function followDeploymentLogs({
  ctx,
  input: req,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: LogsRequest;
}): Promise<FollowedLogs> {
  const r = await openReader({ ctx, input: req });
  // The stream outlives the request and its database handle: what it reads later goes through a
  // context of its own, each poll on a short-lived handle.
  const streaming = serviceContext({ config: ctx.config, logger: ctx.logger });
  const follower = new Follower(streaming, r.type, req.cursorName);
  let dep = refOf(r.dep);
  // The first read is made before answering, so a refusal is a plain problem response.
  const first = await follower.read(dep, r.from);
  if (first.entries.length === 0 && endOfFollow(r.type, dep, first)) return { status: 204 };

  const log = ctx.logger;
  const stop = new AbortController();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        stop.signal.removeEventListener("abort", wake);
        resolve();
      };
      const t = setTimeout(wake, Math.max(0, ms));
      stop.signal.addEventListener("abort", wake);
    });

  async function* events(): AsyncGenerator<string> {
    yield "retry: 2000\n\n";
    const deadline = Date.now() + FOLLOW_MAX_MS;
    let read: SourceRead | null = first;
    let position = r.from;
    let delay = POLL_MIN_MS;
    let lastWrite = Date.now();
    let failures = 0;
    for (let polls = 0; ; polls++) {
      if (read) {
        position = read.position;
        const next = encodeCursor(position);
        const lines = toLines(read.entries, r.redact);
        if (lines.length) {
          yield sse("logs", { lines }, next);
          lastWrite = Date.now();
        }
        const ended = endOfFollow(r.type, dep, read);
        if (ended) {
          const complete = ended === "complete";
          yield sse(
            "end",
            { reason: ended, status: dep.status, cursor: complete ? null : next },
            complete ? undefined : next,
          );
          return;
        }
        delay = read.caughtUp ? (read.entries.length ? POLL_MIN_MS : Math.min(delay * 2, POLL_MAX_MS)) : 0;
      }
      if (Date.now() >= deadline || polls >= MAX_POLLS) {
        const next = encodeCursor(position);
        yield sse("end", { reason: "limit", status: dep.status, cursor: next }, next);
        return;
      }
      // Wait, keeping the connection alive.
      const wakeAt = Date.now() + delay;
      while (Date.now() < wakeAt) {
        await sleep(Math.min(wakeAt, lastWrite + KEEPALIVE_MS) - Date.now());
        if (stop.signal.aborted) return;
        if (Date.now() >= lastWrite + KEEPALIVE_MS) {
          yield ": keepalive\n\n";
          lastWrite = Date.now();
        }
      }
      // The status first, then the lines: a deployment seen ended has all its lines up to then read.
      try {
        const row = await getDeployment({ ctx: streaming, input: { deploymentId: dep.id } });
        if (row) dep = refOf(row);
        read = await follower.read(dep, position);
        failures = 0;
      } catch (err) {
        read = null;
        delay = Math.min(Math.max(delay, POLL_MIN_MS) * 2, POLL_MAX_MS);
        if (++failures < MAX_FAILURES) continue;
        const e = toAppError(err);
        log.warn("following deployment logs failed", { deploymentId: dep.id, code: e.code, err });
        const message = e.status >= 500 && !e.options.expose ? "The logs could not be read" : e.detail;
        yield sse("error", { code: e.code, message });
        return;
      }
    }
  }

  const encoder = new TextEncoder();
  const it = events();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    cancel() {
      stop.abort();
    },
  });
  return { status: 200, stream };
}
