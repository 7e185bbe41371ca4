import type { Config } from "../../../config";
import type { ServiceContext } from "../../../context";
import type { DeploymentRow } from "../../../db/schema";
import { AppError } from "../../../errors";
import { getOwnedDeployment } from "../read";
import { decodeCursor, encodeCursor, type LogsCursor, type LogsType } from "./cursor";
import { accountOfImage, redactor } from "./redact";
import {
  type DeploymentRef,
  type LogEntry,
  type ReadLimits,
  readBuildLogs,
  readRuntimeLogs,
  type SourceRead,
} from "./sources";

// A page of a deployment's logs: the image build's (CloudWatch Logs) or the running instance's
// (Koyeb), as text lines `<ISO time> <line>`, with our credentials and account ids redacted.

/** Characters of log text in one page or one streamed batch. */
export const MAX_PAGE_CHARS = 1_000_000;
/** CloudWatch calls one page may make (its pages can be partly full while more follows). */
const PAGE_CALLS = 5;

export interface LogsRequest {
  appId: string;
  deploymentId: string;
  /** When absent: the cursor's type, else `build`. */
  type?: LogsType;
  /** A cursor from an earlier answer, and the name it came under (query `cursor` or `Last-Event-ID`). */
  cursor?: string;
  cursorName: string;
  /** Log entries at most (an entry spanning several lines counts once). */
  limit: number;
}

export interface LogLine {
  timestamp: string;
  message: string;
}

export interface LogsPage {
  type: LogsType;
  /** `text/plain` lines, each ending in a newline. */
  text: string;
  /** Where to read on; null when the logs are complete and all of them were read. */
  nextCursor: string | null;
  /** More lines are there to read right now. */
  hasMore: boolean;
}

export interface Reader {
  dep: DeploymentRow;
  type: LogsType;
  from: LogsCursor;
  redact: (line: string) => string;
}

/** The deployment (the caller's, of this app) and where to start reading which type. */
export async function openReader({
  ctx,
  input: req,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: LogsRequest;
}): Promise<Reader> {
  const dep = await getOwnedDeployment({
    ctx,
    input: { appId: req.appId, deploymentId: req.deploymentId },
  });
  const cursor = req.cursor ? decodeCursor(req.cursor, req.cursorName, dep.id) : undefined;
  if (cursor && req.type && cursor.t !== req.type) {
    throw new AppError("validation_failed", `The cursor reads ${cursor.t} logs, not ${req.type}`, {
      errors: [{ path: "type", message: `must be ${cursor.t} (the cursor's) or left out` }],
    });
  }
  const type = req.type ?? cursor?.t ?? "build";
  return { dep, type, from: cursor ?? { d: dep.id, t: type }, redact: redactorFor(ctx.config, dep) };
}

/** Our credentials from the configuration, and the AWS account of the deployment's image. */
function redactorFor(config: Config, dep: DeploymentRow) {
  const values = [
    config.AWS_ACCESS_KEY_ID,
    config.AWS_SECRET_ACCESS_KEY,
    config.KOYEB_API_TOKEN,
    config.NEON_API_KEY,
    config.STACK_SECRET_SERVER_KEY,
    config.AGENT_API_SECRET_AUTH,
    // The GitHub App's key, line by line, should a PEM ever be printed.
    ...(config.GITHUB_APP_PRIVATE_KEY ?? "").split(/\\n|\n/).filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l)),
  ].filter((v): v is string => typeof v === "string");
  const account = accountOfImage(dep.imageUri);
  return redactor({ values, accountIds: account ? [account] : [] });
}

export const refOf = (row: DeploymentRow): DeploymentRef => ({
  id: row.id,
  status: row.status,
  buildId: row.buildId,
  koyebDeploymentId: row.koyebDeploymentId,
  createdAt: row.createdAt,
  finishedAt: row.finishedAt,
});

/** One read of the reader's type after `from`. */
function readSource(
  ctx: ServiceContext,
  r: Pick<Reader, "type" | "from"> & { dep: DeploymentRef },
  limits: ReadLimits,
  cursorName: string,
): Promise<SourceRead> {
  const { dep, from } = r;
  return r.type === "build"
    ? readBuildLogs({ ctx, input: { dep, from, limits, cursorName } })
    : readRuntimeLogs({ ctx, input: { dep, from, limits } });
}

/** Entries as lines: an entry's own line breaks make more lines, each with the entry's time. */
export function toLines(entries: LogEntry[], redact: (line: string) => string): LogLine[] {
  const out: LogLine[] = [];
  for (const e of entries) {
    for (const line of e.text.replace(/\r?\n$/, "").split(/\r?\n/)) {
      out.push({ timestamp: e.at, message: redact(line) });
    }
  }
  return out;
}

export async function readDeploymentLogs({
  ctx,
  input: req,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: LogsRequest;
}): Promise<LogsPage> {
  const r = await openReader({ ctx, input: req });
  const read = await readSource(
    ctx,
    { ...r, dep: refOf(r.dep) },
    { limit: req.limit, maxChars: MAX_PAGE_CHARS, maxCalls: PAGE_CALLS },
    req.cursorName,
  );
  const text = toLines(read.entries, r.redact)
    .map((l) => `${l.timestamp} ${l.message}\n`)
    .join("");
  const complete = read.caughtUp && read.finished;
  return {
    type: r.type,
    text,
    nextCursor: complete ? null : encodeCursor(read.position),
    hasMore: !read.caughtUp,
  };
}
