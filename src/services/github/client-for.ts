import { type GitHubClient, githubOrgClient, githubUserClient } from "../../clients/github";
import { getGitHubLogin } from "../../clients/github-identity";
import { getGitHubAccessToken } from "../../clients/stack";
import type { ServiceContext } from "../../context";

export type OwnerType = "org" | "user";

/** Why no client could be made for a user-owned repository. */
export class NoGitHubClient extends Error {
  constructor(readonly reason: "not_connected" | "token_invalid") {
    super(reason === "not_connected" ? "no usable GitHub connection" : "the GitHub token is no longer valid");
    this.name = "NoGitHubClient";
  }
}

/**
 * The client that acts for a repository's owner: the platform App's installation on an org, or
 * the user's own GitHub token (from Stack) for their account; throws NoGitHubClient without one.
 */
export async function githubClientFor({
  ctx,
  input: owner,
}: {
  ctx: ServiceContext;
  input: { type: "org"; login: string } | { type: "user"; userId: string };
}): Promise<GitHubClient> {
  const { config } = ctx;
  if (owner.type === "org") return githubOrgClient(config, owner.login);
  const token = await getGitHubAccessToken(config, owner.userId, "repositories");
  if (!token) throw new NoGitHubClient("not_connected");
  return githubUserClient(config, token);
}

/** The user's GitHub client and login, for acting in their own account. */
export async function githubUserAccount({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { userId: string };
}): Promise<{ gh: GitHubClient; login: string }> {
  const { config } = ctx;
  const { userId } = input;
  const token = await getGitHubAccessToken(config, userId, "repositories");
  if (!token) throw new NoGitHubClient("not_connected");
  const login = await getGitHubLogin(config, token);
  if (!login) throw new NoGitHubClient("token_invalid");
  return { gh: githubUserClient(config, token), login };
}
