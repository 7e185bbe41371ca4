import { type GitHubClient, GitHubConflictError, GitHubError } from "../../clients/github";
import { prepareFiles, type SkippedPath, type TreeInput, treeEntries, type VersionFiles } from "./files";
import type { GhCommit, GhRef, GhTree } from "./types";

// One version → one commit. The tree is sent whole (text inline, binaries as blobs), so the commit
// holds exactly the version: deletions included, nothing left from the previous tree. The branch
// only ever moves forward, except once: the first version replaces GitHub's auto-init commit.

export interface CommitVersionInput {
  gh: GitHubClient;
  owner: string;
  repo: string;
  /** The version's complete file tree. */
  tree: VersionFiles;
  message: string;
  branch?: string;
  /** Where the caller believes the branch is (its previous version's commit); elsewhere → conflict. */
  expectedParent?: string;
  /** GitHub's auto-init commit, as ensureRepository saw it: the one head that may be replaced. */
  autoInitSha?: string;
  /** Leave `.github/workflows/` out (reason `workflow_file`): repositories in the platform's org. */
  skipWorkflowFiles?: boolean;
}

export interface CommitChangesInput {
  gh: GitHubClient;
  owner: string;
  repo: string;
  /** Files added or changed relative to the branch head. */
  files: VersionFiles;
  deletedPaths?: string[];
  message: string;
  branch?: string;
  expectedParent?: string;
}

export interface CommitResult {
  commitSha: string;
  commitUrl: string;
  treeSha: string;
  /** The new commit's parent; null for a root commit. */
  parentSha: string | null;
  /** False when the branch already held this exact commit (a retried call finding its own work). */
  created: boolean;
  /** Paths left out: invalid for git, undecodable content, or deletions of absent files. */
  skippedPaths?: string[];
  /** The same paths with their reasons. */
  skipped?: SkippedPath[];
}

interface Head {
  sha: string;
  url: string;
  treeSha: string;
  parents: string[];
  message: string;
}

/**
 * The branch head: 2 calls, 1 when it is still the auto-init commit `autoInitSha` we saw made (a
 * parentless commit that is replaced whole: its tree and message are not needed). An empty
 * repository is a retryable conflict (auto-init may lag).
 */
export async function readHead(
  gh: GitHubClient,
  owner: string,
  repo: string,
  branch: string,
  autoInitSha?: string,
): Promise<Head> {
  let ref: GhRef;
  try {
    ref = (
      await gh.request<GhRef>("GET /repos/{owner}/{repo}/git/ref/heads/{branch}", { owner, repo, branch })
    ).data;
  } catch (err) {
    if (err instanceof GitHubError && err.githubStatus === 409) {
      throw new GitHubError({ ...err, githubStatus: 409, retryable: true, cause: err });
    }
    throw err;
  }
  if (autoInitSha && ref.object.sha === autoInitSha) {
    return { sha: autoInitSha, url: "", treeSha: "", parents: [], message: "" };
  }
  const c = (
    await gh.request<GhCommit>("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      owner,
      repo,
      commit_sha: ref.object.sha,
    })
  ).data;
  return {
    sha: c.sha,
    url: c.html_url,
    treeSha: c.tree.sha,
    parents: c.parents.map((p) => p.sha),
    message: c.message,
  };
}

/** Whether a parentless head is GitHub's auto-init commit: "Initial commit" holding README.md only. */
async function isAutoInit(gh: GitHubClient, owner: string, repo: string, head: Head, autoInitSha?: string) {
  if (head.parents.length > 0) return false;
  if (autoInitSha) return head.sha === autoInitSha;
  if (head.message.trim() !== "Initial commit") return false;
  const tree = await gh.request<GhTree>("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
    owner,
    repo,
    tree_sha: head.treeSha,
  });
  return tree.data.tree.length === 1 && tree.data.tree[0]?.path === "README.md";
}

async function createTree(
  gh: GitHubClient,
  owner: string,
  repo: string,
  tree: TreeInput[],
  baseTree?: string,
): Promise<string> {
  const res = await gh.request<{ sha: string }>(
    "POST /repos/{owner}/{repo}/git/trees",
    { owner, repo, tree, ...(baseTree ? { base_tree: baseTree } : {}) },
    { timeoutMs: 60_000 },
  );
  return res.data.sha;
}

interface Finish {
  gh: GitHubClient;
  owner: string;
  repo: string;
  branch: string;
  head: Head;
  treeSha: string;
  message: string;
  expectedParent?: string;
  replaceHead: boolean;
  skipped: SkippedPath[];
}

async function finishCommit(f: Finish): Promise<CommitResult> {
  const { gh, owner, repo, branch, head, treeSha, message } = f;
  const skipped = f.skipped.length ? { skippedPaths: f.skipped.map((s) => s.path), skipped: f.skipped } : {};
  // A retry after success finds its own commit at the head: nothing to do.
  if (head.treeSha === treeSha && head.message === message) {
    return {
      commitSha: head.sha,
      commitUrl: head.url,
      treeSha,
      parentSha: head.parents[0] ?? null,
      created: false,
      ...skipped,
    };
  }
  if (!f.replaceHead && f.expectedParent && head.sha !== f.expectedParent) {
    throw new GitHubConflictError({
      route: `PATCH /repos/${owner}/${repo}/git/refs/heads/${branch}`,
      githubStatus: null,
      githubMessage: `the branch is at ${head.sha}, expected ${f.expectedParent}`,
      retryable: false,
    });
  }
  const parents = f.replaceHead ? [] : [head.sha];
  const commit = (
    await gh.request<GhCommit>("POST /repos/{owner}/{repo}/git/commits", {
      owner,
      repo,
      message,
      tree: treeSha,
      parents,
    })
  ).data;
  // Fast-forward only; the single forced move replaces the auto-init commit with a root commit.
  await gh.request("PATCH /repos/{owner}/{repo}/git/refs/heads/{branch}", {
    owner,
    repo,
    branch,
    sha: commit.sha,
    force: f.replaceHead,
  });
  return {
    commitSha: commit.sha,
    commitUrl: commit.html_url,
    treeSha,
    parentSha: parents[0] ?? null,
    created: true,
    ...skipped,
  };
}

/**
 * Commits a version's complete tree on `branch`: 5 calls plus one per binary file (4 when the head
 * is still the auto-init commit `autoInitSha`; one more when the head looks like an auto-init
 * commit and `autoInitSha` is not given). The first version of a
 * repository created with auto-init becomes a root commit. A branch moved by someone else is a
 * GitHubConflictError; it is never overwritten.
 */
export async function commitVersion(input: CommitVersionInput): Promise<CommitResult> {
  const { gh, owner, repo, message } = input;
  const branch = input.branch ?? "main";
  const prepared = prepareFiles(input.tree, { skipWorkflowFiles: input.skipWorkflowFiles });
  const head = await readHead(gh, owner, repo, branch, input.autoInitSha);
  const treeSha = await createTree(gh, owner, repo, await treeEntries(gh, owner, repo, prepared));
  const sameAsHead = head.treeSha === treeSha && head.message === message;
  const replaceHead = !sameAsHead && (await isAutoInit(gh, owner, repo, head, input.autoInitSha));
  return finishCommit({
    gh,
    owner,
    repo,
    branch,
    head,
    treeSha,
    message,
    expectedParent: input.expectedParent,
    replaceHead,
    skipped: prepared.skipped,
  });
}

/**
 * Commits changes on top of the branch head: changed files and deletions applied to the head's
 * tree (`base_tree`). Deleting a path the head does not hold is skipped, not an error.
 */
export async function commitChanges(input: CommitChangesInput): Promise<CommitResult> {
  const { gh, owner, repo, message } = input;
  const branch = input.branch ?? "main";
  const prepared = prepareFiles(input.files);
  const head = await readHead(gh, owner, repo, branch);
  const deletions: TreeInput[] = [];
  const skipped = [...prepared.skipped];
  if (input.deletedPaths?.length) {
    const current = await gh.request<GhTree>("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      recursive: "1",
      owner,
      repo,
      tree_sha: head.treeSha,
    });
    const known = new Map(current.data.tree.map((e) => [e.path, e]));
    for (const path of new Set(input.deletedPaths)) {
      const e = known.get(path);
      if (!e || e.type === "commit") skipped.push({ path, reason: "absent" });
      else deletions.push({ path, mode: e.type === "tree" ? "040000" : "100644", type: e.type, sha: null });
    }
  }
  const entries = [...(await treeEntries(gh, owner, repo, prepared)), ...deletions];
  const treeSha = await createTree(gh, owner, repo, entries, head.treeSha);
  return finishCommit({
    gh,
    owner,
    repo,
    branch,
    head,
    treeSha,
    message,
    expectedParent: input.expectedParent,
    replaceHead: false,
    skipped,
  });
}
