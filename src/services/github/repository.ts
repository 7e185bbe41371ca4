import { type GitHubClient, GitHubError } from "../../clients/github";
import { AppError } from "../../errors";
import { slugRepoName, withSuffix } from "./names";
import type { GhRef, GhRepo } from "./types";

export interface EnsureRepositoryInput {
  gh: GitHubClient;
  /** The org (ownerType "org") or the user's login (ownerType "user", the token's own account). */
  owner: string;
  ownerType: "org" | "user";
  /** The agent's app_name; slugged into the repository name. */
  name: string;
  description?: string;
  homepage?: string;
  private: boolean;
  /** A repository name a previous attempt stored: reused when it exists and we may push to it. */
  expectedRepo?: string;
  /** Names tried with a random suffix after the plain one is taken, default 5. */
  suffixTries?: number;
  /** Suffixes to try, in order, instead of random ones (so a retry knows the names it may have made). */
  suffixes?: string[];
  /**
   * A taken name whose repository carries exactly our description (which names the app) is one a
   * previous attempt made: it is returned instead of trying the next name. Costs a call only when
   * a name is taken, so a first attempt never looks before it creates.
   */
  adoptOwn?: boolean;
}

export interface EnsuredRepository {
  owner: string;
  repo: string;
  repositoryUrl: string;
  /** False when an existing repository (expectedRepo) was returned. */
  created: boolean;
  defaultBranch: string;
  /** The head of the default branch right after creation: GitHub's auto-init commit. */
  autoInitSha?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isStatus = (err: unknown, status: number) => err instanceof GitHubError && err.githubStatus === status;
const nameTaken = (err: unknown) =>
  isStatus(err, 422) && (err as GitHubError).errors?.some((e) => /already exists/i.test(e.message ?? ""));

// GitHub refuses control characters in descriptions.
const cleanDescription = (d?: string) => d?.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 350);

/** The repository, or null when it does not exist (or the credentials may not see it). */
export async function getRepository(gh: GitHubClient, owner: string, repo: string): Promise<GhRepo | null> {
  try {
    return (await gh.request<GhRepo>("GET /repos/{owner}/{repo}", { owner, repo })).data;
  } catch (err) {
    if (isStatus(err, 404)) return null;
    throw err;
  }
}

/**
 * The head of a just-created repository's default branch. GitHub writes the auto-init commit right
 * after answering, so the git database can report "empty" (409) or the ref missing for a moment.
 */
async function waitForBranch(gh: GitHubClient, owner: string, repo: string, branch: string) {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      const ref = await gh.request<GhRef>("GET /repos/{owner}/{repo}/git/ref/heads/{branch}", {
        owner,
        repo,
        branch,
      });
      return ref.data.object.sha;
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
      await sleep(200 * attempt);
    }
  }
  return undefined;
}

function result(repo: GhRepo, created: boolean, autoInitSha?: string): EnsuredRepository {
  return {
    owner: repo.owner.login,
    repo: repo.name,
    repositoryUrl: repo.html_url,
    created,
    defaultBranch: repo.default_branch,
    ...(autoInitSha ? { autoInitSha } : {}),
  };
}

/**
 * Creates the app's repository (with GitHub's auto-init commit, so the git data API works), named
 * after `name`, with a short random suffix when the name is taken. Safe to retry: `expectedRepo`
 * returns the repository a previous attempt made, and a creation whose answer was lost is
 * recognised by name, description and creation time instead of being made twice.
 */
export async function ensureRepository(input: EnsureRepositoryInput): Promise<EnsuredRepository> {
  const { gh, owner, ownerType } = input;
  if (input.expectedRepo) {
    const existing = await getRepository(gh, owner, input.expectedRepo);
    if (existing && !existing.archived && existing.permissions?.push !== false)
      return result(existing, false);
  }
  const description = cleanDescription(input.description);
  const base = slugRepoName(input.name);
  const tries = input.suffixes?.length ?? input.suffixTries ?? 5;
  for (let i = 0; i <= tries; i++) {
    const candidate = i === 0 ? base : withSuffix(base, input.suffixes?.[i - 1]);
    const made = await createOnce(input, candidate, description);
    if (made) return made;
    if (input.adoptOwn && description) {
      const existing = await getRepository(gh, owner, candidate);
      if (existing && !existing.archived && (existing.description ?? "") === description) {
        return result(existing, false);
      }
    }
  }
  throw new AppError("conflict", `No free repository name for ${base} under ${owner} (${ownerType})`);
}

/** One candidate name: the repository, or null when the name is taken. */
async function createOnce(
  input: EnsureRepositoryInput,
  name: string,
  description: string | undefined,
): Promise<EnsuredRepository | null> {
  const { gh, owner, ownerType } = input;
  const route = ownerType === "org" ? "POST /orgs/{org}/repos" : "POST /user/repos";
  const body = {
    ...(ownerType === "org" ? { org: owner } : {}),
    name,
    private: input.private,
    auto_init: true,
    ...(description ? { description } : {}),
    ...(input.homepage ? { homepage: input.homepage } : {}),
  };
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      // Not retried blindly: a lost answer may hide a repository that was made.
      const res = await gh.request<GhRepo>(route, body, { retryTransient: false });
      const repo = res.data;
      return result(repo, true, await waitForBranch(gh, repo.owner.login, repo.name, repo.default_branch));
    } catch (err) {
      if (nameTaken(err)) return null;
      const ambiguous = err instanceof GitHubError && err.retryable && err.retryAfterMs === undefined;
      if (!ambiguous || attempt >= 3) throw err;
      const existing = await getRepository(gh, owner, name);
      if (existing) {
        const ours =
          Date.parse(existing.created_at) >= startedAt - 60_000 &&
          (existing.description ?? "") === (description ?? "");
        if (!ours) return null;
        const sha = await waitForBranch(gh, existing.owner.login, existing.name, existing.default_branch);
        return result(existing, true, sha);
      }
      await sleep(250 * 2 ** (attempt - 1));
    }
  }
}

/** Sets the repository's homepage (the deployed app's URL). */
export async function setHomepage(input: {
  gh: GitHubClient;
  owner: string;
  repo: string;
  homepage: string;
}): Promise<void> {
  await input.gh.request("PATCH /repos/{owner}/{repo}", {
    owner: input.owner,
    repo: input.repo,
    homepage: input.homepage,
  });
}

/** Archives the repository (never deletes it); repeating it, or a repository already gone, is fine. */
export async function archiveRepository(input: {
  gh: GitHubClient;
  owner: string;
  repo: string;
}): Promise<"archived" | "already_archived" | "missing"> {
  const { gh, owner, repo } = input;
  const existing = await getRepository(gh, owner, repo);
  if (!existing) return "missing";
  if (existing.archived) return "already_archived";
  await gh.request("PATCH /repos/{owner}/{repo}", { owner, repo, archived: true });
  return "archived";
}
