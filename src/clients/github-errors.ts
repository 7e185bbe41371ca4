import { AppError, type ErrorCode } from "../errors";

// Every GitHub failure is a GitHubError: GitHub's status (null when no answer came), its message,
// and whether trying again may help, so a workflow step can decide to retry or give up.

export interface GitHubErrorInfo {
  route: string;
  /** GitHub's status; null when no answer came (network failure, timeout). */
  githubStatus: number | null;
  githubMessage: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** GitHub's `errors` array of a 422, as sent. */
  errors?: Array<{ code?: string; field?: string; message?: string; resource?: string }>;
  cause?: unknown;
}

function codeFor(info: GitHubErrorInfo): ErrorCode {
  const s = info.githubStatus;
  if (s === null || s >= 500 || info.retryAfterMs !== undefined) return "upstream_unavailable";
  if (s === 404) return "not_found";
  if (s === 409) return "github_conflict";
  return "upstream_error";
}

export class GitHubError extends AppError implements GitHubErrorInfo {
  readonly route: string;
  readonly githubStatus: number | null;
  readonly githubMessage: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly errors?: GitHubErrorInfo["errors"];
  constructor(info: GitHubErrorInfo, code: ErrorCode = codeFor(info)) {
    super(code, `GitHub ${info.route} answered ${info.githubStatus ?? "nothing"}: ${info.githubMessage}`, {
      cause: info.cause,
    });
    this.name = "GitHubError";
    this.route = info.route;
    this.githubStatus = info.githubStatus;
    this.githubMessage = info.githubMessage;
    this.retryable = info.retryable;
    this.retryAfterMs = info.retryAfterMs;
    this.errors = info.errors;
  }
}

/** The branch moved under us (not a fast-forward, or not where the caller expected it). */
export class GitHubConflictError extends GitHubError {
  constructor(info: GitHubErrorInfo) {
    super({ ...info, retryable: false }, "github_conflict");
    this.name = "GitHubConflictError";
  }
}

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { status: number; headers: Record<string, string | undefined>; data: unknown };
}

/** How long a 403/429 rate-limit answer asks us to wait, or undefined when it is not one. */
function rateLimitWait(status: number, headers: Record<string, string | undefined>, message: string) {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (headers["x-ratelimit-remaining"] === "0" && headers["x-ratelimit-reset"]) {
    return Math.max(0, Number(headers["x-ratelimit-reset"]) * 1000 - Date.now()) + 1000;
  }
  // A secondary limit without headers: GitHub asks for at least a minute.
  if (status === 429 || /rate limit/i.test(message)) return 60_000;
  return undefined;
}

export function toGitHubError(route: string, err: unknown): GitHubError {
  const e = err as OctokitFailure;
  const res = e?.response;
  if (!res) {
    return new GitHubError({
      route,
      githubStatus: null,
      githubMessage: e?.message ?? "no response",
      retryable: true,
      cause: err,
    });
  }
  const data = (res.data ?? {}) as { message?: string; errors?: GitHubErrorInfo["errors"] };
  const message = typeof data.message === "string" ? data.message : String(res.data ?? "");
  const info: GitHubErrorInfo = {
    route,
    githubStatus: res.status,
    githubMessage: message,
    retryable: res.status >= 500,
    retryAfterMs: rateLimitWait(res.status, res.headers, message),
    errors: Array.isArray(data.errors) ? data.errors : undefined,
  };
  if (info.retryAfterMs !== undefined) info.retryable = true;
  if (res.status === 422 && /not a fast forward/i.test(message)) return new GitHubConflictError(info);
  return new GitHubError(info);
}
