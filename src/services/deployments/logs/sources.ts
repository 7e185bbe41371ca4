import { getLogEvents } from "../../../clients/cloudwatch-logs";
import { batchGetBuilds } from "../../../clients/codebuild";
import { queryLogs } from "../../../clients/koyeb";
import { isUpstreamError, UpstreamError } from "../../../clients/upstream";
import type { Config } from "../../../config";
import type { ServiceContext } from "../../../context";
import type { DeploymentStatus } from "../../../db/schema";
import { AppError } from "../../../errors";
import type { LogsCursor } from "./cursor";

// The two places a deployment's lines come from: the image build's log stream in CloudWatch Logs
// (found through CodeBuild's BatchGetBuilds) and Koyeb's log query for the deployment's instance.
// Each read answers entries oldest first and where the next read starts; every call has a deadline.

const TIMEOUT_MS = 10_000;
const RETRIES = 1;
/** CloudWatch answers at most this many events a page. */
const CLOUDWATCH_MAX_LIMIT = 10_000;
/** Koyeb's query lags its sources a little: lines younger than this are left for the next read. */
const KOYEB_SETTLE_MS = 2_000;
/** Koyeb's lines are searched from a minute before the deployment row was made. */
const KOYEB_LEAD_MS = 60_000;

export interface LogEntry {
  /** ISO 8601. */
  at: string;
  text: string;
}

export interface DeploymentRef {
  id: string;
  status: DeploymentStatus;
  buildId: string | null;
  koyebDeploymentId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface SourceRead {
  entries: LogEntry[];
  /** Where the next read starts. */
  position: LogsCursor;
  /** Nothing more is there to read now. */
  caughtUp: boolean;
  /** No more lines can ever come (the build is over, the instance is gone). */
  finished: boolean;
}

export interface ReadLimits {
  /** Entries at most. */
  limit: number;
  /** Characters of entry text at most (one entry always fits). */
  maxChars: number;
  /** Upstream calls at most for this read. */
  maxCalls: number;
}

/** A failure of a log service, in this service's words (the vendor's text goes to the log only). */
function logServiceFailure(what: string, err: unknown): AppError {
  if (err instanceof AppError && (err.code === "config_missing" || err.code === "config_invalid")) return err;
  const retryable = !(err instanceof UpstreamError) || err.retryable;
  return retryable
    ? new AppError("upstream_unavailable", `${what} is not answering; retry shortly`, {
        expose: true,
        cause: err,
      })
    : new AppError("upstream_error", `${what} refused to read these logs`, { expose: true, cause: err });
}

const badCursor = (name: string) =>
  new AppError("validation_failed", "The cursor is no longer valid for these logs", {
    errors: [{ path: name, message: "is not a position of this deployment's logs" }],
  });

const BUILD_ACTIVE: DeploymentStatus[] = ["queued", "building"];
const RUNTIME_ENDED: DeploymentStatus[] = ["failed", "cancelled"];

export interface BuildLocation {
  /** The log's group and stream: absent until CodeBuild has made the stream. */
  log: { group: string; stream: string } | null;
  /** The build is over: no more lines can come. */
  complete: boolean;
}

/** Where the build's log is, and whether the build is over (a build CodeBuild does not know is). */
async function buildLocation(config: Config, buildId: string): Promise<BuildLocation> {
  let build: Awaited<ReturnType<typeof batchGetBuilds>>["builds"][number] | undefined;
  try {
    build = (await batchGetBuilds(config, [buildId])).builds[0];
  } catch (err) {
    throw logServiceFailure("CodeBuild", err);
  }
  if (!build) return { log: null, complete: true };
  const { groupName, streamName } = build.logs ?? {};
  return {
    log: groupName && streamName ? { group: groupName, stream: streamName } : null,
    complete: build.buildComplete,
  };
}

/**
 * The image build's lines after `from`. `known` is the build's location when the caller has it
 * (a follower keeps the one it found); a build without a stream yet reads as empty.
 */
export async function readBuildLogs({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: {
    dep: DeploymentRef;
    from: LogsCursor;
    limits: ReadLimits;
    cursorName: string;
    known?: BuildLocation;
  };
}): Promise<SourceRead & { location: BuildLocation }> {
  const { config } = ctx;
  const { dep, from, limits, cursorName, known } = input;
  // No build (yet): more can come only while the deployment may still start one.
  const location =
    known ??
    (dep.buildId
      ? await buildLocation(config, dep.buildId)
      : { log: null, complete: !BUILD_ACTIVE.includes(dep.status) });
  const log = location.log;
  if (!log) return { entries: [], position: from, caughtUp: true, finished: location.complete, location };
  const entries: LogEntry[] = [];
  let chars = 0;
  let token = from.k;
  let skip = from.n ?? 0;
  let caughtUp = false;
  for (let call = 0; call < limits.maxCalls && entries.length < limits.limit; call++) {
    let page: Awaited<ReturnType<typeof getLogEvents>>;
    try {
      page = await getLogEvents(config, {
        logGroupName: log.group,
        logStreamName: log.stream,
        nextToken: token,
        limit: Math.min(CLOUDWATCH_MAX_LIMIT, limits.limit - entries.length + skip),
        timeoutMs: TIMEOUT_MS,
        retries: RETRIES,
      });
    } catch (err) {
      // No stream (yet, or any more): nothing to read. A token CloudWatch refuses: the cursor's fault.
      if (isUpstreamError(err, "ResourceNotFoundException")) {
        caughtUp = true;
        break;
      }
      if (token && isUpstreamError(err, "InvalidParameterException")) throw badCursor(cursorName);
      throw logServiceFailure("CloudWatch Logs", err);
    }
    if (skip > page.events.length) {
      // A shorter page than the one the cursor was made on: all of it was read before.
      skip -= page.events.length;
      if (page.nextForwardToken === token) {
        caughtUp = true;
        break;
      }
      token = page.nextForwardToken;
      continue;
    }
    const fresh = page.events.slice(skip);
    let used = 0;
    for (const e of fresh) {
      if (
        entries.length >= limits.limit ||
        (entries.length > 0 && chars + e.message.length > limits.maxChars)
      )
        break;
      entries.push({ at: new Date(e.timestamp).toISOString(), text: e.message });
      chars += e.message.length;
      used++;
    }
    if (used < fresh.length) {
      // Stopped inside this page: the next read asks for it again and skips what was read.
      skip += used;
      break;
    }
    // The same forward token back means the end of the stream (for now).
    const atEnd = token !== undefined && page.nextForwardToken === token;
    token = page.nextForwardToken || token;
    skip = 0;
    if (atEnd) {
      caughtUp = true;
      break;
    }
  }
  return {
    entries,
    position: { d: from.d, t: "build", ...(token ? { k: token } : {}), ...(skip ? { n: skip } : {}) },
    caughtUp,
    finished: location.complete,
    location,
  };
}

/** The lines of the deployment's Koyeb instance after `from`. */
export async function readRuntimeLogs({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { dep: DeploymentRef; from: LogsCursor; limits: Omit<ReadLimits, "maxCalls"> };
}): Promise<SourceRead> {
  const { config } = ctx;
  const { dep, from, limits } = input;
  const endMs = Date.now() - KOYEB_SETTLE_MS;
  // The instance is gone, and its last lines have had time to reach Koyeb's query.
  const finished =
    RUNTIME_ENDED.includes(dep.status) && (dep.finishedAt === null || dep.finishedAt.getTime() < endMs);
  if (!dep.koyebDeploymentId) return { entries: [], position: from, caughtUp: true, finished };
  const startMs = from.s ? Date.parse(from.s) : dep.createdAt.getTime() - KOYEB_LEAD_MS;
  if (startMs >= endMs) return { entries: [], position: from, caughtUp: true, finished };
  const start = from.s ?? new Date(startMs).toISOString();
  const end = new Date(endMs).toISOString();
  let page: Awaited<ReturnType<typeof queryLogs>>;
  try {
    page = await queryLogs(config, {
      type: "runtime",
      deploymentId: dep.koyebDeploymentId,
      start,
      end,
      limit: limits.limit,
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
    });
  } catch (err) {
    throw logServiceFailure("Koyeb's log service", err);
  }
  const entries: LogEntry[] = [];
  let chars = 0;
  for (const line of page.data) {
    if (entries.length > 0 && chars + line.msg.length > limits.maxChars) {
      // The rest is read from this line's time on.
      return {
        entries,
        position: { d: from.d, t: "runtime", s: line.created_at },
        caughtUp: false,
        finished,
      };
    }
    const at = Date.parse(line.created_at);
    entries.push({ at: Number.isNaN(at) ? line.created_at : new Date(at).toISOString(), text: line.msg });
    chars += line.msg.length;
  }
  const more = page.pagination.has_more && !!page.pagination.next_start;
  return {
    entries,
    position: { d: from.d, t: "runtime", s: more ? page.pagination.next_start! : end },
    caughtUp: !more,
    finished,
  };
}
