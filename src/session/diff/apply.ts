import { parsePatch, type StructuredPatch } from "diff";
import { fileFolderClash } from "../../lib/paths";
import type { FileMode, Tree, TreeFile } from "../../lib/tree";
import { applyHunks } from "./hunks";
import { gitHeaderNames, readQuoted, stripPrefix, unsafeReason } from "./paths";
import type { DiffStatEntry } from "./stat";

export type ApplyFailureCode = "patch_failed" | "agent_error" | "unsafe_path";

export type ApplyResult =
  | {
      ok: true;
      tree: Tree;
      /** Paths created or whose content or mode changed (rename and copy targets included). */
      changed: string[];
      /** Paths removed (rename sources included). */
      deleted: string[];
      /** Paths of `Binary files … differ` sections and special files (symlinks, submodules). */
      skippedPaths: string[];
      diffStat: DiffStatEntry[];
    }
  | { ok: false; code: ApplyFailureCode; reason: string };

const LEGACY_EMPTY = "# Note: This is a valid empty diff";
const LEGACY_ERROR = "# ERROR GENERATING DIFF";

type Op = "create" | "modify" | "delete" | "rename" | "copy";

interface Section {
  op: Op;
  /** Path read from the base (absent for create). */
  from: string | null;
  /** Path written (absent for delete). */
  to: string | null;
  patch: StructuredPatch;
  binary: boolean;
  newMode: string | undefined;
}

class Refusal extends Error {
  constructor(
    readonly code: ApplyFailureCode,
    reason: string,
  ) {
    super(reason);
  }
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const unchanged = (tree: Tree): ApplyResult => ({
  ok: true,
  tree,
  changed: [],
  deleted: [],
  skippedPaths: [],
  diffStat: [],
});

/**
 * Applies a git unified diff to a copy of `base`, all or nothing: a hunk that does not apply, or a
 * path that would leave the tree, refuses the whole diff. `base` is never mutated.
 */
export function applyUnifiedDiff(base: Tree, diffText: string | null | undefined): ApplyResult {
  const text = diffText ?? "";
  if (text.trim() === "" || text.startsWith(LEGACY_EMPTY)) return unchanged(new Map(base));
  if (text.startsWith(LEGACY_ERROR)) return { ok: false, code: "agent_error", reason: firstLine(text) };
  try {
    return apply(base, readSections(text));
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, code: err.code, reason: err.message };
    return { ok: false, code: "patch_failed", reason: `unreadable diff: ${(err as Error).message}` };
  }
}

function firstLine(s: string): string {
  const nl = s.indexOf("\n");
  return (nl === -1 ? s : s.slice(0, nl)).slice(0, 500);
}

interface GitHead {
  /** The `diff --git` line. */
  line: string;
  /** Whether the header area says the content is binary (jsdiff misses `GIT binary patch`). */
  binary: boolean;
  /** Names of `rename from`/`copy from` and `rename to`/`copy to` lines. */
  from?: string;
  to?: string;
  /** A `---` line not followed by its `+++` line (git refuses the section). */
  halfFileHeader: boolean;
  /** Whether the section has more than its `diff --git` line before any hunk. */
  extended: boolean;
}

function gitHeads(text: string): GitHead[] {
  const heads: GitHead[] = [];
  for (const part of text.split(/^(?=diff --git )/m)) {
    if (!part.startsWith("diff --git ")) continue;
    const end = part.search(/^(?:@@ |--- )/m);
    const head = end === -1 ? part : part.slice(0, end);
    const nl = part.indexOf("\n");
    heads.push({
      line: (nl === -1 ? part : part.slice(0, nl)).replace(/\r$/, ""),
      binary: /^(?:Binary files |GIT binary patch$)/m.test(head),
      from: extendedName(head, /^(?:rename|copy) from (.*)$/m),
      to: extendedName(head, /^(?:rename|copy) to (.*)$/m),
      extended: head.slice(nl + 1).trim() !== "",
      halfFileHeader:
        end !== -1 && part.startsWith("--- ", end) && !/^--- [^\n]*\n\+\+\+ /.test(part.slice(end)),
    });
  }
  return heads;
}

function extendedName(head: string, rx: RegExp): string | undefined {
  const raw = rx.exec(head)?.[1]?.replace(/\r$/, "");
  return raw === undefined ? undefined : raw.startsWith('"') ? (readQuoted(raw)?.name ?? raw) : raw;
}

/** Git refuses a section whose `diff --git` names are not the ones its other headers give. */
function checkGitHeader(head: GitHead | undefined, oldName: string | null, newName: string | null) {
  if (!head) throw new Refusal("patch_failed", "a git section without its diff --git line");
  if (head.halfFileHeader) throw new Refusal("patch_failed", "a --- line without its +++ line");
  const wantOld = oldName ?? newName;
  const wantNew = newName ?? oldName;
  if ((head.from === undefined) !== (head.to === undefined))
    throw new Refusal("patch_failed", "a rename or copy names only one of its two paths");
  if ((head.from !== undefined && head.from !== wantOld) || (head.to !== undefined && head.to !== wantNew))
    throw new Refusal("patch_failed", `the rename or copy lines do not name ${wantOld} and ${wantNew}`);
  for (const { oldName: o, newName: n } of gitHeaderNames(head.line)) {
    const [a, b] = [stripPrefix(o, "a/"), stripPrefix(n, "b/")];
    for (const name of [a, b]) {
      const why = unsafeReason(name);
      if (why) throw new Refusal("unsafe_path", `${why}: ${JSON.stringify(name)}`);
    }
    if (a === wantOld && b === wantNew) return;
  }
  throw new Refusal("patch_failed", `the diff --git line does not name ${wantNew}`);
}

function readSections(text: string): Section[] {
  const patches = parsePatch(text);
  const heads = gitHeads(text);
  let gitIndex = 0;
  const sections: Section[] = [];
  for (const p of patches) {
    const head = p.isGit ? heads[gitIndex++] : undefined;
    const binary = p.isGit ? (head?.binary ?? false) || p.isBinary === true : false;
    if (p.oldFileName === undefined && p.newFileName === undefined) {
      if (p.hunks.length) throw new Refusal("patch_failed", "a hunk without file names");
      continue;
    }
    const oldName = p.oldFileName === "/dev/null" ? null : stripPrefix(p.oldFileName ?? "", "a/");
    const newName = p.newFileName === "/dev/null" ? null : stripPrefix(p.newFileName ?? "", "b/");
    for (const name of [oldName, newName]) {
      const why = name === null ? null : unsafeReason(name);
      if (why) throw new Refusal("unsafe_path", `${why}: ${JSON.stringify(name)}`);
    }
    if (p.isGit) checkGitHeader(head, oldName, newName);
    const op: Op =
      p.isCreate || oldName === null
        ? "create"
        : p.isDelete || newName === null
          ? "delete"
          : p.isRename
            ? "rename"
            : p.isCopy
              ? "copy"
              : "modify";
    // Git takes header lines that change nothing (no hunk, no new mode) for garbage.
    if (op === "modify" && head?.extended && !p.hunks.length && p.newMode === undefined && !binary)
      throw new Refusal("patch_failed", `nothing to apply to ${newName}`);
    // A bare `diff --git` line changes nothing, as for git, even for a path the tree lacks.
    if (op === "modify" && !p.hunks.length && p.newMode === undefined && !binary) continue;
    if (op === "modify" && oldName !== newName)
      throw new Refusal("patch_failed", `inconsistent names ${oldName} and ${newName}`);
    sections.push({
      op,
      from: op === "create" ? null : oldName,
      to: op === "delete" ? null : newName,
      patch: p,
      binary,
      newMode: p.newMode,
    });
  }
  if (!sections.length) throw new Refusal("patch_failed", "no file sections in the diff");
  return sections;
}

/** Only regular files fit the tree; 100664 and the like are read by their executable bit. */
function modeOf(raw: string | undefined, fallback: FileMode | undefined): FileMode | null {
  if (raw === undefined) return fallback ?? "100644";
  if (!/^100[0-7]{3}$/.test(raw)) return null;
  return Number.parseInt(raw.slice(3), 8) & 0o111 ? "100755" : "100644";
}

function countStat(path: string, patch: StructuredPatch): DiffStatEntry {
  let insertions = 0;
  let deletions = 0;
  for (const h of patch.hunks)
    for (const l of h.lines) {
      if (l[0] === "+") insertions++;
      else if (l[0] === "-") deletions++;
    }
  return { path, insertions, deletions };
}

function patched(source: string, s: Section): string {
  if (!s.patch.hunks.length) return source;
  const out = applyHunks(source, s.patch.hunks);
  if (out === null) throw new Refusal("patch_failed", `a hunk does not apply to ${s.from ?? s.to}`);
  return out;
}

function apply(base: Tree, sections: Section[]): ApplyResult {
  const removed = new Set<string>();
  const writes = new Map<string, { file: TreeFile; from: string | null }>();
  const skipped: string[] = [];
  const stat: DiffStatEntry[] = [];
  const claim = (set: Set<string> | Map<string, unknown>, path: string) => {
    if (set.has(path)) throw new Refusal("patch_failed", `${path} appears twice in the diff`);
  };

  for (const s of sections) {
    stat.push(countStat((s.to ?? s.from)!, s.patch));
    if (s.binary) {
      skipped.push((s.to ?? s.from)!);
      continue;
    }
    const source = s.from === null ? undefined : base.get(s.from);
    if (s.from !== null && !source) throw new Refusal("patch_failed", `${s.from} is not in the tree`);
    if (s.op === "delete" || s.op === "rename") {
      claim(removed, s.from!);
      removed.add(s.from!);
    }
    if (s.op === "delete") {
      if (patched(source!.content, s) !== "")
        throw new Refusal("patch_failed", `deleting ${s.from} leaves content behind`);
      continue;
    }
    const mode = modeOf(s.newMode, source?.mode);
    if (mode === null) {
      skipped.push(s.to!);
      continue;
    }
    claim(writes, s.to!);
    writes.set(s.to!, { file: { content: patched(source?.content ?? "", s), mode }, from: s.from });
  }

  const tree: Tree = new Map(base);
  for (const p of removed) tree.delete(p);
  const changed: string[] = [];
  for (const [p, { file: f, from }] of writes) {
    if (tree.has(p) && from !== p) throw new Refusal("patch_failed", `${p} already exists`);
    const before = base.get(p);
    if (!before || removed.has(p) || before.content !== f.content || before.mode !== f.mode) changed.push(p);
    tree.set(p, f);
  }
  // Only a new or renamed path can make a file and a folder share a name.
  if (writes.size) {
    const clash = fileFolderClash(tree.keys());
    if (clash !== null) throw new Refusal("unsafe_path", `${clash} would be both a file and a folder`);
  }
  const deleted = [...removed].filter((p) => !writes.has(p));
  return {
    ok: true,
    tree,
    changed: changed.sort(byPath),
    deleted: deleted.sort(byPath),
    skippedPaths: skipped.sort(byPath),
    diffStat: stat,
  };
}
