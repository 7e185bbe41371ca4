import { AppError } from "../../../errors";

// Where a reader of a deployment's logs stands: opaque to clients (base64url JSON), bound to one
// deployment and one type so it cannot be replayed against another stream.

export const LOGS_TYPES = ["build", "runtime"] as const;
export type LogsType = (typeof LOGS_TYPES)[number];

export interface LogsCursor {
  /** The deployment it belongs to. */
  d: string;
  t: LogsType;
  /** Build logs: CloudWatch's forward token of the page to read (none: the stream's start)… */
  k?: string;
  /** …and how many of that page's events were already read. */
  n?: number;
  /** Runtime logs: the time (RFC 3339) from which Koyeb's lines are still to read. */
  s?: string;
}

const MAX_CURSOR_CHARS = 2048;

export function encodeCursor(c: LogsCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(c));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const badCursor = (name: string) =>
  new AppError("validation_failed", `${name} is not a cursor of this deployment's logs`, {
    errors: [{ path: name, message: "must be a cursor this route answered for this deployment" }],
  });

/** The cursor a client sent back (`name` is the query parameter or header, for the problem). */
export function decodeCursor(text: string, name: string, deploymentId: string): LogsCursor {
  let value: unknown;
  try {
    if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) throw new Error("not base64url");
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    value = JSON.parse(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
        Uint8Array.from(bin, (ch) => ch.charCodeAt(0)),
      ),
    );
  } catch {
    throw badCursor(name);
  }
  const c = value as Partial<LogsCursor> | null;
  const ok =
    typeof c === "object" &&
    c !== null &&
    c.d === deploymentId &&
    LOGS_TYPES.includes(c.t as LogsType) &&
    (c.k === undefined || (typeof c.k === "string" && c.k.length > 0)) &&
    (c.n === undefined || (Number.isInteger(c.n) && c.n >= 0 && c.n <= 10_000)) &&
    (c.s === undefined || (typeof c.s === "string" && !Number.isNaN(Date.parse(c.s))));
  if (!ok) throw badCursor(name);
  return c as LogsCursor;
}

/** The path that reads a deployment's logs of one type (the `logsUrl` of `deployment_failed`). */
export function deploymentLogsPath(appId: string, deploymentId: string, type: LogsType): string {
  return `/apps/${appId}/deployments/${deploymentId}/logs?type=${type}`;
}
