import { z } from "@hono/zod-openapi";
import type { GitHubClient } from "../../clients/github";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import { githubClientFor, NoGitHubClient } from "./client-for";
import { commitChanges, commitVersion } from "./commit";
import type { CommitFile } from "./files";
import { ensureRepository } from "./repository";

// What the development-only /github routes do: the repository layer driven by hand, acting with
// the caller's own GitHub token (`user`) or the platform App's installation on an org (`org`).

export const RepositorySchema = z
  .object({ owner: z.string(), repo: z.string(), repositoryUrl: z.string() })
  .openapi("GitHubRepository");
export type DevRepository = z.infer<typeof RepositorySchema>;

export const CommitSchema = z
  .object({ commitSha: z.string(), commitUrl: z.string() })
  .openapi("GitHubCommit");
export type DevCommit = z.infer<typeof CommitSchema>;

export type DevTarget = { mode: "user" } | { mode: "org"; owner: string };

interface Acting {
  gh: GitHubClient;
  owner: string;
  ownerType: "org" | "user";
}

/** The caller, whose own GitHub account the `user` routes act in. */
type DevContext = ServiceContext<"user">;

async function acting(ctx: DevContext, target: DevTarget): Promise<Acting> {
  if (target.mode === "org") {
    const gh = await githubClientFor({ ctx, input: { type: "org", login: target.owner } });
    return { gh, owner: target.owner, ownerType: "org" };
  }
  const gh = await githubClientFor({ ctx, input: { type: "user", userId: ctx.user.id } }).catch((err) => {
    if (!(err instanceof NoGitHubClient)) throw err;
    throw new AppError("github_not_connected", "Connect a GitHub account to use the /github/user routes");
  });
  const me = await gh.request<{ login: string }>("GET /user");
  return { gh, owner: me.data.login, ownerType: "user" };
}

export async function devCreateRepo({
  ctx,
  input,
}: {
  ctx: DevContext;
  input: { target: DevTarget; repo: string; description?: string; private: boolean };
}): Promise<DevRepository> {
  const { gh, owner, ownerType } = await acting(ctx, input.target);
  const made = await ensureRepository({
    gh,
    owner,
    ownerType,
    name: input.repo,
    description: input.description,
    private: input.private,
  });
  return { owner: made.owner, repo: made.repo, repositoryUrl: made.repositoryUrl };
}

/** The repository's first version: a root commit replacing GitHub's auto-init commit. */
export async function devInitialCommit({
  ctx,
  input,
}: {
  ctx: DevContext;
  input: { target: DevTarget; repo: string; files: CommitFile[] };
}): Promise<DevCommit> {
  const { gh, owner } = await acting(ctx, input.target);
  const r = await commitVersion({
    gh,
    owner,
    repo: input.repo,
    tree: input.files,
    message: "Initial commit",
  });
  return { commitSha: r.commitSha, commitUrl: r.commitUrl };
}

/** A commit of changed files and deletions on top of the branch head. */
export async function devCommit({
  ctx,
  input,
}: {
  ctx: DevContext;
  input: {
    target: DevTarget;
    repo: string;
    files: CommitFile[];
    deletedPaths?: string[];
    message: string;
    branch: string;
  };
}): Promise<DevCommit> {
  const { target, ...change } = input;
  const { gh, owner } = await acting(ctx, target);
  const r = await commitChanges({ gh, owner, ...change });
  return { commitSha: r.commitSha, commitUrl: r.commitUrl };
}
