/** The one code → status table. Clients switch on `code`; the status follows from it. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  github_not_connected: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  no_snapshot: 404,
  no_such_version: 404,
  conflict: 409,
  run_in_progress: 409,
  idempotency_key_reused: 409,
  github_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  daily_message_limit_reached: 429,
  too_many_readers: 429,
  internal: 500,
  config_invalid: 500,
  config_missing: 500,
  upstream_error: 502,
  upstream_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Why a run ended without success: the `code` of a run's `error` event inside the stream, never an
 * HTTP answer, so it has no status. `internal` is shared with the table above.
 */
export type RunErrorCode =
  | "agent_error"
  | "agent_unavailable"
  | "agent_protocol"
  | "agent_timeout"
  | "patch_failed"
  | "cancelled"
  | "run_interrupted"
  | "internal";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export interface FieldError {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  /** Extra top-level members of the problem body (e.g. `eventsUrl`). */
  extra?: Record<string, unknown>;
  errors?: FieldError[];
  /** A 5xx detail is replaced by a generic text unless exposed (configuration errors name the variable). */
  expose?: boolean;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string = code,
    readonly options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export function problemBody(err: AppError, requestId: string): Problem {
  const hideDetail = err.status >= 500 && !err.options.expose;
  return {
    type: "about:blank",
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    detail: hideDetail ? "The server could not complete the request." : err.detail,
    code: err.code,
    requestId,
    ...(err.options.errors ? { errors: err.options.errors } : {}),
    ...err.options.extra,
  };
}

export function problemResponse(err: AppError, requestId: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/problem+json");
  h.set("x-request-id", requestId);
  for (const [k, v] of Object.entries(err.options.headers ?? {})) h.set(k, v);
  return new Response(JSON.stringify(problemBody(err, requestId)), { status: err.status, headers: h });
}

/** Any thrown value as an AppError: unknown errors become a generic `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError("internal", "Unexpected error", { cause: err });
}
