import type { Config } from "../config";
import { AppError } from "../errors";

// The two GitHub calls identity needs, made with the user's own OAuth token. Plain fetch: the
// repository layer has its own client; this one only reads who the user is.
const TIMEOUT_MS = 5_000;

async function githubFetch(config: Config, token: string, path: string): Promise<Response> {
  try {
    return await fetch(`${config.GITHUB_API_URL}${path}`, {
      headers: {
        authorization: `token ${token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": "appbuilder-backend",
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new AppError("upstream_unavailable", "GitHub is not reachable", { cause: err });
  }
}

function unavailable(res: Response, what: string): AppError {
  return new AppError("upstream_unavailable", "GitHub could not answer", {
    cause: new Error(`GitHub ${what} answered ${res.status}`),
  });
}

/** The login behind the token, or null when GitHub no longer accepts the token (revoked). */
export async function getGitHubLogin(config: Config, token: string): Promise<string | null> {
  const res = await githubFetch(config, token, "/user");
  if (res.status === 401) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw unavailable(res, "GET /user");
  }
  const body = (await res.json()) as { login?: string };
  return body.login ?? null;
}

/** A 403 or 429 that is GitHub's rate limiting, not a refusal about the resource. */
function rateLimited(res: Response): boolean {
  return (
    res.status === 429 || res.headers.has("retry-after") || res.headers.get("x-ratelimit-remaining") === "0"
  );
}

/**
 * Whether the token's user is an active member of `org`. 404 (not a member, or the org hides it),
 * 403 (the org restricts OAuth apps) and 401 (revoked token) all mean "not shown to be a member".
 */
export async function isActiveOrgMember(config: Config, token: string, org: string): Promise<boolean> {
  const res = await githubFetch(config, token, `/user/memberships/orgs/${encodeURIComponent(org)}`);
  if (res.status === 404 || res.status === 401 || (res.status === 403 && !rateLimited(res))) {
    await res.body?.cancel();
    return false;
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw unavailable(res, "GET /user/memberships/orgs");
  }
  const body = (await res.json()) as { state?: string };
  return body.state === "active";
}
