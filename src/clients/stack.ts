import { type Config, need } from "../config";
import { AppError } from "../errors";

// Stack Auth's server API, reached with plain fetch and the server-key headers (no SDK: see
// architecture.md). Every call is bounded; an unreachable or failing Stack is `upstream_unavailable`.
const TIMEOUT_MS = 5_000;

export interface StackUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string | null;
}

interface StackUserBody {
  id: string;
  primary_email?: string | null;
  primary_email_verified?: boolean;
  display_name?: string | null;
}

interface StackKnownError {
  code?: string;
}

function serverHeaders(config: Config): Record<string, string> {
  return {
    "x-stack-access-type": "server",
    "x-stack-project-id": config.STACK_PROJECT_ID,
    "x-stack-secret-server-key": need(config, "STACK_SECRET_SERVER_KEY"),
    accept: "application/json",
  };
}

async function stackFetch(config: Config, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...serverHeaders(config), ...(init.headers as Record<string, string> | undefined) };
  try {
    return await fetch(`${config.STACK_API_URL}${path}`, {
      ...init,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new AppError("upstream_unavailable", "The identity provider is not reachable", { cause: err });
  }
}

function unavailable(res: Response, what: string): AppError {
  return new AppError("upstream_unavailable", "The identity provider could not answer", {
    cause: new Error(`Stack ${what} answered ${res.status}`),
  });
}

/** Stack's error code (`x-stack-known-error`, else the body's `code`), or undefined. */
async function knownError(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => undefined)) as StackKnownError | undefined;
  return res.headers.get("x-stack-known-error") ?? body?.code;
}

/** The user's profile as Stack knows it, or null when Stack has no such user. */
export async function getStackUser(config: Config, userId: string): Promise<StackUser | null> {
  const res = await stackFetch(config, `/api/v1/users/${encodeURIComponent(userId)}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw unavailable(res, "GET /users");
  }
  const body = (await res.json()) as StackUserBody;
  return {
    id: body.id,
    email: body.primary_email ?? null,
    emailVerified: body.primary_email_verified === true,
    displayName: body.display_name ?? null,
  };
}

/**
 * Stack's answers to the access-token call that mean "no usable GitHub token for this user now"
 * (stack-auth/stack-auth `packages/stack-shared/src/known-errors.tsx`; the handler is
 * `apps/backend/.../connected-accounts/[user_id]/[provider_id]/access-token/crud.tsx`):
 * no GitHub connection, no stored token with the scopes asked for (GitHub OAuth-app tokens have
 * no refresh token, so an expired or revoked one answers this too), GitHub sign-in not enabled in
 * the project, the user gone. Newer Stack versions answer OAUTH_ACCESS_TOKEN_NOT_AVAILABLE for the
 * missing-scope case. None of them is an outage: the user has to (re)connect GitHub.
 */
export const NO_USABLE_GITHUB_TOKEN = new Set([
  "OAUTH_CONNECTION_NOT_CONNECTED_TO_USER",
  "OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE",
  "OAUTH_ACCESS_TOKEN_NOT_AVAILABLE",
  "OAUTH_PROVIDER_NOT_FOUND_OR_NOT_ENABLED",
  "USER_NOT_FOUND",
]);

/**
 * What each use of a user's GitHub token needs. Reading who the user is needs no scope at all;
 * creating and writing repositories in the user's account needs `repo` (Stack's GitHub provider
 * asks for `user:email` only unless the project configures more).
 */
export type GitHubTokenUse = "identity" | "repositories";
const SCOPES: Record<GitHubTokenUse, string | undefined> = { identity: undefined, repositories: "repo" };

/**
 * The user's GitHub OAuth access token holding the scopes `use` needs (Stack refreshes it as
 * needed), or null when there is no usable one (see NO_USABLE_GITHUB_TOKEN).
 */
export async function getGitHubAccessToken(
  config: Config,
  userId: string,
  use: GitHubTokenUse,
): Promise<string | null> {
  const scope = SCOPES[use];
  const res = await stackFetch(
    config,
    `/api/v1/connected-accounts/${encodeURIComponent(userId)}/github/access-token`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(scope ? { scope } : {}),
    },
  );
  if (res.ok) {
    const body = (await res.json()) as { access_token?: string };
    return body.access_token || null;
  }
  if (res.status === 400 || res.status === 404) {
    const code = await knownError(res);
    if (code && NO_USABLE_GITHUB_TOKEN.has(code)) return null;
    throw unavailable(res, `connected-accounts (${code ?? "no code"})`);
  }
  await res.body?.cancel();
  throw unavailable(res, "connected-accounts");
}
