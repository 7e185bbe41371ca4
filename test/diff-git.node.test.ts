import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Tree } from "../src/lib/tree";
import { applyUnifiedDiff } from "../src/session/diff";
import { type GenTree, type Mutation, mutate, mutationArb, treePairArb } from "./helpers/diff-cases";
import { gitRunner, writeFiles } from "./helpers/git-cli.node";

const RUNS = Number(process.env.DIFF_RUNS ?? 1500);
// Each case spawns git twice: generous on a loaded machine, about 20 s on an idle one.
const TIMEOUT_MS = 600_000;
const SEED = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED);

const work = mkdtempSync(join(tmpdir(), "diff-git-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const git = gitRunner(work);

function writeTree(dir: string, tree: GenTree) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, tree);
}

function readTree(dir: string, prefix = ""): Map<string, { content: string; mode: string }> {
  const out = new Map<string, { content: string; mode: string }>();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of readTree(dir, rel)) out.set(k, v);
    else {
      const mode = statSync(join(dir, rel)).mode & 0o111 ? "100755" : "100644";
      out.set(rel, { content: readFileSync(join(dir, rel), "utf8"), mode });
    }
  }
  return out;
}

const HEADER = /^(diff --git |--- |\+\+\+ |rename from |rename to |Binary files )/;

/** `git diff --no-index` of two folders, with the folder names taken out of the paths. */
function gitDiff(base: GenTree, target: GenTree, quotePath: boolean): string {
  writeTree(join(work, "base"), base);
  writeTree(join(work, "target"), target);
  const r = git(
    ["-c", `core.quotePath=${quotePath}`, "diff", "--no-index", "--no-color", "-M", "--", "base", "target"],
    work,
  );
  if (r.status > 1) throw new Error(`git diff failed: ${r.stderr}`);
  return r.stdout
    .split(/(?<=\n)/)
    .map((l) =>
      HEADER.test(l)
        ? l
            .replace(/([ "]|^)([ab])\/(?:base|target)\//g, "$1$2/")
            .replace(/^(rename (?:from|to) "?)(?:base|target)\//, "$1")
        : l,
    )
    .join("");
}

/** The diff without its binary sections (which we skip by design and git cannot apply). */
function withoutBinary(diff: string): string {
  return diff
    .split(/^(?=diff --git )/m)
    .filter((s) => !/^Binary files .* differ$/m.test(s))
    .join("");
}

function gitApply(base: GenTree, diff: string) {
  const dir = join(work, "apply");
  writeTree(dir, base);
  const r = git(["apply", "--whitespace=nowarn", "-"], dir, diff);
  return r.status === 0 ? { ok: true as const, tree: readTree(dir) } : { ok: false as const, why: r.stderr };
}

/**
 * Where we refuse by design what git applies: a hunk whose body has more or fewer lines than its
 * header counts (git reads the counted lines and takes the rest for noise between sections), and a
 * `---` line without its `+++` line (git may create the file from the `diff --git` line): a
 * damaged diff must not be half understood.
 */
function stricterByDesign(reason: string, m: Mutation): boolean {
  const miscounted = /Hunk at line \d+ has (more|fewer) lines than expected|Unknown line \d+/.test(reason);
  const halfHeader = /a --- line without its \+\+\+ line/.test(reason);
  return (
    (miscounted && ["dupLine", "dropLine", "hunkCount", "truncate", "crlf"].includes(m.kind)) ||
    (halfHeader && ["dropLine", "truncate"].includes(m.kind))
  );
}

const asTree = (t: GenTree): Tree => new Map([...t].map(([p, f]) => [p, { ...f }]));
const plain = (t: Map<string, { content: string; mode: string }>) =>
  Object.fromEntries(
    [...t].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, f]) => [p, `${f.mode}:${f.content}`]),
  );

describe("applyUnifiedDiff agrees with git apply", () => {
  it(
    `on ${RUNS} generated trees and diffs (renames, deletions, modes, CRLF, no final newline, binary, damage)`,
    () => {
      let compared = 0;
      let gitOk = 0;
      let stricter = 0;
      fc.assert(
        fc.property(treePairArb, mutationArb, fc.boolean(), ({ base, target }, mutation, quotePath) => {
          const original = gitDiff(base, target, quotePath);
          const diff = mutate(original, mutation);
          try {
            check(base, target, original, diff, mutation);
          } catch (err) {
            throw new Error(`${(err as Error).message}\nthe diff: ${JSON.stringify(diff)}`);
          }
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
      );
      console.log(
        `diff vs git apply: ${RUNS} cases, ${compared} compared with git, ${gitOk} applied by git, ` +
          `${stricter} refused by us only by design`,
      );
      expect(compared).toBeGreaterThan(RUNS / 2);

      function check(base: GenTree, target: GenTree, original: string, diff: string, mutation: Mutation) {
        const ours = applyUnifiedDiff(asTree(base), diff);
        // A damaged path that our path rule refuses: the whole diff is refused, whatever git does.
        if (mutation.kind === "path" && diff !== original) {
          expect(ours.ok).toBe(false);
          return;
        }
        const text = withoutBinary(diff);
        if (text.trim() === "") {
          // Nothing but binary sections (or nothing): git finds no patch; we keep the tree.
          expect(ours.ok && plain(ours.tree)).toEqual(plain(base));
          return;
        }
        const theirs = gitApply(base, text);
        if (!theirs.ok && text !== diff && /No valid patches in input/.test(theirs.why)) {
          // Binary sections and bare headers only: nothing for git, the tree kept for us.
          expect(ours.ok && plain(ours.tree)).toEqual(plain(base));
          return;
        }
        compared++;
        if (theirs.ok) gitOk++;
        const summary = ours.ok ? "applied" : `refused (${ours.code}: ${ours.reason})`;
        if (!ours.ok && theirs.ok && stricterByDesign(ours.reason, mutation)) {
          stricter++;
          return;
        }
        expect(
          summary.startsWith("applied"),
          `git ${theirs.ok ? "applied" : `refused: ${theirs.why}`}, we ${summary}`,
        ).toBe(theirs.ok);
        if (ours.ok && theirs.ok) {
          expect(plain(ours.tree)).toEqual(plain(theirs.tree));
          if (mutation.kind === "none") {
            const binary = [...target].filter(([, f]) => f.content.includes("\0")).map(([p]) => p);
            expect(ours.skippedPaths).toEqual(binary.sort());
          }
        }
      }
    },
    TIMEOUT_MS,
  );
});
