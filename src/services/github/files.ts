import type { GitHubClient } from "../../clients/github";
import { isSafePath } from "../../lib/paths";
import type { FileMode, Tree } from "../../lib/tree";

/** A file of a version. Text goes inline into the tree; `base64` content is a binary blob. */
export interface CommitFile {
  path: string;
  content: string;
  mode?: FileMode;
  encoding?: "utf-8" | "base64";
}

/** A version's files: the shared source tree, or a list of files. */
export type VersionFiles = Tree | Iterable<CommitFile>;

/** An entry of GitHub's create-tree request. */
export type TreeInput =
  | { path: string; mode: FileMode; type: "blob"; content: string }
  | { path: string; mode: FileMode | "040000"; type: "blob" | "tree"; sha: string | null };

/** A path a commit may hold: the one rule shared with the diff gate and the S3 keys. */
export const isValidPath = isSafePath;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Why a file of a version is not in its commit: a path git cannot hold, content with no UTF-8
 * form, a GitHub Actions workflow (not run on the platform's org), a deletion of an absent file.
 */
export type SkipReason = "invalid_path" | "undecodable" | "workflow_file" | "absent";
export interface SkippedPath {
  path: string;
  reason: SkipReason;
}

/** GitHub Actions runs the files of this folder; any case, as case-insensitive checkouts see it. */
export const isWorkflowFile = (path: string) => path.toLowerCase().startsWith(".github/workflows/");

export interface PreparedFiles {
  text: Array<Extract<TreeInput, { content: string }>>;
  binary: Array<{ path: string; mode: FileMode; base64: string }>;
  skippedPaths: string[];
  /** The same paths, each with its reason. */
  skipped: SkippedPath[];
}

/** Sorts the files into inline text and binary blobs; paths GitHub would refuse are skipped. */
export function prepareFiles(files: VersionFiles, opts: { skipWorkflowFiles?: boolean } = {}): PreparedFiles {
  const list: CommitFile[] =
    files instanceof Map
      ? [...files.entries()].map(([path, f]) => ({ path, content: f.content, mode: f.mode }))
      : [...files];
  const byPath = new Map<string, CommitFile>();
  for (const f of list) byPath.set(f.path, f);
  const out: PreparedFiles = { text: [], binary: [], skippedPaths: [], skipped: [] };
  const skip = (path: string, reason: SkipReason) => {
    out.skippedPaths.push(path);
    out.skipped.push({ path, reason });
  };
  // A file that another path needs as its folder cannot be in a git tree beside it.
  const folders = new Set<string>();
  for (const p of byPath.keys())
    for (let i = p.indexOf("/"); i !== -1; i = p.indexOf("/", i + 1)) folders.add(p.slice(0, i));
  for (const f of byPath.values()) {
    const mode = f.mode ?? "100644";
    if (!isValidPath(f.path) || folders.has(f.path)) {
      skip(f.path, "invalid_path");
    } else if (opts.skipWorkflowFiles && isWorkflowFile(f.path)) {
      skip(f.path, "workflow_file");
    } else if (f.encoding === "base64") {
      const base64 = f.content.replace(/\s+/g, "");
      if (BASE64.test(base64) && base64.length % 4 === 0) out.binary.push({ path: f.path, mode, base64 });
      else skip(f.path, "undecodable");
    } else if (f.content.isWellFormed()) {
      out.text.push({ path: f.path, mode, type: "blob", content: f.content });
    } else {
      // Lone surrogates have no UTF-8 form: GitHub would store something else than we hold.
      skip(f.path, "undecodable");
    }
  }
  return out;
}

/** The create-tree entries: binary files uploaded as blobs first (in parallel, bounded by the client). */
export async function treeEntries(
  gh: GitHubClient,
  owner: string,
  repo: string,
  prepared: PreparedFiles,
): Promise<TreeInput[]> {
  const blobs = await Promise.all(
    prepared.binary.map(async (b) => {
      const res = await gh.request<{ sha: string }>("POST /repos/{owner}/{repo}/git/blobs", {
        owner,
        repo,
        content: b.base64,
        encoding: "base64",
      });
      return { path: b.path, mode: b.mode, type: "blob" as const, sha: res.data.sha };
    }),
  );
  return [...prepared.text, ...blobs];
}
