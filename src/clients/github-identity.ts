import type { Config } from "../config";
import { AppError } from "../errors";
import { GitHubError, githubOrgClient } from "./github";

// The two GitHub calls identity needs: who the user is (with the user's own OAuth token, plain
// fetch) and whether that login is in the employee org (with the platform App's installation).
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

/**
 * Whether `login` is a member of `org`, asked as the platform's GitHub App installation on `org`
 * (`GET /orgs/{org}/members/{username}`: 204 member, 404 not). A user's own token could only
 * answer with the `read:org` scope, which Stack's GitHub connection does not ask for; the App
 * sees private members too when it is installed on the org with the Members (read) permission.
 * null when the App cannot tell (not installed there, no permission): not an outage.
 */
export async function isOrgMember(config: Config, org: string, login: string): Promise<boolean | null> {
  const gh = githubOrgClient(config, org, { timeoutMs: TIMEOUT_MS, maxAttempts: 2 });
  try {
    await gh.request("GET /orgs/{org}/members/{username}", { org, username: login });
    return true;
  } catch (err) {
    // No App configured (or its key unreadable): nobody can be shown a member this way.
    if (err instanceof AppError && err.code === "config_invalid") return null;
    if (!(err instanceof GitHubError) || err.code === "upstream_unavailable") {
      throw new AppError("upstream_unavailable", "GitHub could not answer", { cause: err });
    }
    const membershipCall = err.route === "GET /orgs/{org}/members/{username}";
    if (membershipCall && err.githubStatus === 404) return false;
    return null;
  }
}
