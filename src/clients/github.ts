import { Octokit } from "@octokit/core";
import { type Config, need } from "../config";
import { appJwt, installationCache } from "./github-app-auth";
import { GitHubError, toGitHubError } from "./github-errors";

export { GitHubConflictError, GitHubError, type GitHubErrorInfo } from "./github-errors";

// The GitHub REST client of the repository layer. Two ways to act: `org` (the platform's GitHub App
// installation on an org) and `user` (the user's own OAuth token). Every call has a timeout, runs
// under a small concurrency bound (GitHub's secondary limits punish bursts), waits out rate limits
// (`retry-after`, `x-ratelimit-reset`) and retries 5xx / network failures with backoff; any other
// 4xx fails at once. Failures are GitHubError with GitHub's status and whether a retry may help.

export type GitHubAuth = { mode: "org"; org: string } | { mode: "user"; token: string };

export interface GitHubClientOptions {
  /** Per request, default 15 s. */
  timeoutMs?: number;
  /** Tries per request (the first included), default 4. */
  maxAttempts?: number;
  /** Requests in flight at once, default 4. */
  concurrency?: number;
  /** The longest rate-limit wait honoured in place; a longer one fails with `retryAfterMs`. Default 30 s. */
  maxRetryWaitMs?: number;
  /** First backoff step for 5xx / network retries, default 250 ms (doubles, plus jitter). */
  baseDelayMs?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * Retry 5xx and network failures (default true). Off for calls that are not safe to repeat
   * blindly (creating a repository): the caller checks what happened instead.
   */
  retryTransient?: boolean;
}

export interface GitHubResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string | undefined>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function timedFetch(ms: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

export class GitHubClient {
  private readonly octokit: Octokit;
  private readonly semaphore: Semaphore;
  private readonly opts: Required<GitHubClientOptions>;
  private tokenInFlight?: Promise<string>;

  constructor(
    private readonly config: Config,
    readonly auth: GitHubAuth,
    opts: GitHubClientOptions = {},
  ) {
    this.opts = {
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxAttempts: opts.maxAttempts ?? 4,
      concurrency: opts.concurrency ?? 4,
      maxRetryWaitMs: opts.maxRetryWaitMs ?? 30_000,
      baseDelayMs: opts.baseDelayMs ?? 250,
    };
    this.semaphore = new Semaphore(this.opts.concurrency);
    this.octokit = new Octokit({
      baseUrl: config.GITHUB_API_URL,
      userAgent: "appbuilder-backend",
      request: { fetch: timedFetch(this.opts.timeoutMs) },
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
  }

  /** A REST call (`"POST /repos/{owner}/{repo}/git/trees"`) with this client's credentials. */
  async request<T = unknown>(
    route: string,
    params: Record<string, unknown> = {},
    opts: RequestOptions = {},
  ): Promise<GitHubResponse<T>> {
    try {
      return await this.send<T>(route, params, await this.authorization(), opts);
    } catch (err) {
      // An installation token can be revoked before its expiry: fetch a fresh one once.
      if (this.auth.mode === "org" && err instanceof GitHubError && err.githubStatus === 401) {
        installationCache.dropToken(this.cacheKey());
        return this.send<T>(route, params, await this.authorization(), opts);
      }
      throw err;
    }
  }

  private cacheKey(): string {
    const org = this.auth.mode === "org" ? this.auth.org.toLowerCase() : "";
    return `${this.config.GITHUB_API_URL}|${this.config.GITHUB_APP_ID ?? ""}|${org}`;
  }

  private async authorization(): Promise<string> {
    if (this.auth.mode === "user") return `token ${this.auth.token}`;
    const cached = installationCache.token(this.cacheKey());
    if (cached) return `token ${cached}`;
    // Parallel calls of one client share the fetch of a token (within one request's work).
    this.tokenInFlight ??= this.fetchInstallationToken().finally(() => {
      this.tokenInFlight = undefined;
    });
    return `token ${await this.tokenInFlight}`;
  }

  private async fetchInstallationToken(): Promise<string> {
    if (this.auth.mode !== "org") throw new Error("not an org client");
    const org = this.auth.org;
    const key = this.cacheKey();
    const jwt = `Bearer ${await appJwt(need(this.config, "GITHUB_APP_ID"), need(this.config, "GITHUB_APP_PRIVATE_KEY"))}`;
    let id = installationCache.id(key);
    if (id === undefined) {
      const res = await this.send<{ id: number }>("GET /orgs/{org}/installation", { org }, jwt);
      id = res.data.id;
      installationCache.setId(key, id);
    }
    try {
      const res = await this.send<{ token: string; expires_at: string }>(
        "POST /app/installations/{installation_id}/access_tokens",
        { installation_id: id },
        jwt,
      );
      installationCache.setToken(key, res.data.token, res.data.expires_at);
      return res.data.token;
    } catch (err) {
      // The App was reinstalled: the next call looks the installation up again.
      if (err instanceof GitHubError && err.githubStatus === 404) installationCache.dropId(key);
      throw err;
    }
  }

  private async send<T>(
    route: string,
    params: Record<string, unknown>,
    authorization: string,
    opts: RequestOptions = {},
  ): Promise<GitHubResponse<T>> {
    const { maxAttempts, baseDelayMs, maxRetryWaitMs } = this.opts;
    for (let attempt = 1; ; attempt++) {
      await this.semaphore.acquire();
      let failure: GitHubError;
      try {
        const res = await this.octokit.request(route, {
          ...params,
          headers: {
            authorization,
            accept: "application/vnd.github+json",
            "x-github-api-version": "2022-11-28",
          },
          ...(opts.timeoutMs ? { request: { fetch: timedFetch(opts.timeoutMs) } } : {}),
        });
        return {
          status: res.status,
          data: res.data as T,
          headers: res.headers as GitHubResponse<T>["headers"],
        };
      } catch (err) {
        failure = toGitHubError(route, err);
      } finally {
        this.semaphore.release();
      }
      const last = attempt >= maxAttempts;
      if (failure.retryAfterMs !== undefined) {
        if (last || failure.retryAfterMs > maxRetryWaitMs) throw failure;
        await sleep(failure.retryAfterMs);
        continue;
      }
      if (!failure.retryable || last || opts.retryTransient === false) throw failure;
      await sleep(baseDelayMs * 2 ** (attempt - 1) + Math.random() * baseDelayMs);
    }
  }
}

/** A client acting as the platform's GitHub App installation on `org` (default GITHUB_ORG). */
export function githubOrgClient(config: Config, org?: string, opts?: GitHubClientOptions): GitHubClient {
  return new GitHubClient(config, { mode: "org", org: org ?? need(config, "GITHUB_ORG") }, opts);
}

/** A client acting with a user's own GitHub token (from Stack's connected account). */
export function githubUserClient(config: Config, token: string, opts?: GitHubClientOptions): GitHubClient {
  return new GitHubClient(config, { mode: "user", token }, opts);
}
