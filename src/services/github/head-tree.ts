import type { GitHubClient } from "../../clients/github";
import { readHead } from "./commit";
import type { GhBlob, GhTree } from "./types";

export interface HeadTreeFile {
  path: string;
  mode: string;
  sha: string;
  size: number;
  /** Base64, only when asked for (one call per file). */
  content?: string;
}

export interface HeadTree {
  commitSha: string;
  treeSha: string;
  files: HeadTreeFile[];
}

/** The files at the head of `branch` (blobs only, sorted by path), optionally with their content. */
export async function getHeadTree(input: {
  gh: GitHubClient;
  owner: string;
  repo: string;
  branch?: string;
  withContent?: boolean;
}): Promise<HeadTree> {
  const { gh, owner, repo } = input;
  const head = await readHead(gh, owner, repo, input.branch ?? "main");
  const tree = await gh.request<GhTree>("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
    recursive: "1",
    owner,
    repo,
    tree_sha: head.treeSha,
  });
  const blobs = tree.data.tree.filter((e) => e.type === "blob");
  const files = await Promise.all(
    blobs.map(async (e): Promise<HeadTreeFile> => {
      const file: HeadTreeFile = { path: e.path, mode: e.mode, sha: e.sha, size: e.size ?? 0 };
      if (!input.withContent) return file;
      const blob = await gh.request<GhBlob>("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
        owner,
        repo,
        file_sha: e.sha,
      });
      return { ...file, content: blob.data.content.replace(/\s+/g, "") };
    }),
  );
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { commitSha: head.sha, treeSha: head.treeSha, files };
}
