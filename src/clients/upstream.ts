import { AppError } from "../errors";

// The failure type of the deploy clients (ECR, CodeBuild, Koyeb, Neon): an AppError that also
// says whether trying again can help, so a Workflow step knows to retry or to give up.

export interface UpstreamFailure {
  /** The service's HTTP status, or null when it never answered (network failure, timeout). */
  status: number | null;
  /** The service's own error code (`RepositoryNotFoundException`, `not_found`, …), or "". */
  code: string;
  message: string;
  retryable: boolean;
  cause?: unknown;
}

export class UpstreamError extends AppError {
  readonly service: string;
  readonly operation: string;
  readonly upstreamStatus: number | null;
  readonly upstreamCode: string;
  readonly retryable: boolean;

  constructor(service: string, operation: string, f: UpstreamFailure) {
    const what = f.status === null ? "no answer" : `${f.status} ${f.code}`.trim();
    super(
      f.retryable ? "upstream_unavailable" : "upstream_error",
      `${service} ${operation} failed (${what}): ${f.message}`,
      { cause: f.cause },
    );
    this.name = "UpstreamError";
    this.service = service;
    this.operation = operation;
    this.upstreamStatus = f.status;
    this.upstreamCode = f.code;
    this.retryable = f.retryable;
  }
}

/** 5xx, 429 and 408 are worth another try; any other 4xx is the request's fault. */
export const isRetryableStatus = (status: number) => status >= 500 || status === 429 || status === 408;

export const isUpstreamError = (err: unknown, code?: string): err is UpstreamError =>
  err instanceof UpstreamError && (code === undefined || err.upstreamCode === code);

/** The request named something that does not exist (REST 404). */
export const isNotFound = (err: unknown): err is UpstreamError =>
  err instanceof UpstreamError && err.upstreamStatus === 404;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface JsonRequest {
  service: string;
  operation: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Deadline for the whole call, retries included. */
  timeoutMs: number;
  /** Extra attempts after a retryable failure; only for requests that are safe to repeat. */
  retries?: number;
  /** Statuses beyond 5xx/429/408 that mean "try again shortly" for this service. */
  alsoRetryable?: number[];
  /** Reads the service's error body into `{ code, message }`. */
  readError: (body: unknown) => { code: string; message: string };
}

/**
 * A JSON request to a REST API, bounded by a deadline; a failure is an UpstreamError whose
 * `retryable` follows the status (5xx, 429, no answer → true).
 */
export async function requestJson<T>(req: JsonRequest): Promise<T> {
  const signal = AbortSignal.timeout(req.timeoutMs);
  const retries = req.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    let failure: UpstreamError;
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: {
          accept: "application/json",
          ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
          ...req.headers,
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = undefined;
      }
      if (res.ok) {
        if (parsed === undefined) {
          throw new UpstreamError(req.service, req.operation, {
            status: res.status,
            code: "",
            message: "the answer is not JSON",
            retryable: false,
          });
        }
        return parsed as T;
      }
      const { code, message } = req.readError(parsed ?? {});
      failure = new UpstreamError(req.service, req.operation, {
        status: res.status,
        code,
        message: message || text.slice(0, 200),
        retryable: isRetryableStatus(res.status) || (req.alsoRetryable ?? []).includes(res.status),
      });
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      failure = new UpstreamError(req.service, req.operation, {
        status: null,
        code: "",
        message: signal.aborted ? `no answer within ${req.timeoutMs} ms` : "not reachable",
        retryable: true,
        cause: err,
      });
    }
    if (!failure.retryable || attempt >= retries || signal.aborted) throw failure;
    await sleep(150 * 2 ** attempt * (0.5 + Math.random() / 2));
  }
}
