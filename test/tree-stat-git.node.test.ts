// treeStat (a restore's change between two versions) against the real `git diff --numstat`, on
// trees made by fast-check: the same files, and per file the same net change in lines, with
// counts never above git's (equal whenever the change is one block).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Tree } from "../src/lib/tree";
import { treeStat } from "../src/session/diff";
import { type GenTree, treePairArb } from "./helpers/diff-cases";

const RUNS = Number(process.env.DIFF_RUNS ?? 150);
const work = mkdtempSync(join(tmpdir(), "tree-stat-git-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const gitEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: work,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CEILING_DIRECTORIES: tmpdir(),
  LC_ALL: "C",
};

function git(args: string[], cwd: string): string {
  const r = spawnSync("git", args, { cwd, env: gitEnv, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString("utf8")}`);
  return r.stdout.toString("utf8");
}

function writeTree(dir: string, tree: GenTree) {
  for (const [p, f] of tree) {
    const file = join(dir, p);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, f.content);
    chmodSync(file, f.mode === "100755" ? 0o755 : 0o644);
  }
}

/** `git diff --numstat` from `from` to `to`, committed in a fresh repository: path → counts (null for binary). */
function gitNumstat(from: GenTree, to: GenTree) {
  const dir = mkdtempSync(join(work, "repo-"));
  git(["init", "-q"], dir);
  writeTree(dir, from);
  git(["add", "-A"], dir);
  git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "from"], dir);
  for (const e of readdirSync(dir)) if (e !== ".git") rmSync(join(dir, e), { recursive: true, force: true });
  writeTree(dir, to);
  git(["add", "-A"], dir);
  const out = git(["diff", "--cached", "--numstat", "--no-renames", "-z", "HEAD"], dir);
  rmSync(dir, { recursive: true, force: true });
  const stat = new Map<string, { insertions: number; deletions: number } | null>();
  for (const rec of out.split("\0").filter(Boolean)) {
    const [ins, del, path] = rec.split("\t") as [string, string, string];
    stat.set(path, ins === "-" ? null : { insertions: Number(ins), deletions: Number(del) });
  }
  return stat;
}

const asTree = (t: GenTree): Tree => new Map([...t].map(([p, f]) => [p, { ...f }]));

describe("treeStat agrees with git diff --numstat", () => {
  it(`on ${RUNS} generated pairs of trees`, () => {
    fc.assert(
      fc.property(treePairArb, ({ base, target }) => {
        const ours = treeStat(asTree(base), asTree(target));
        const theirs = gitNumstat(base, target);
        expect(ours.map((e) => e.path).sort()).toEqual([...theirs.keys()].sort());
        for (const e of ours) {
          const g = theirs.get(e.path);
          if (!g) continue; // binary to git (a NUL byte): no line counts to compare
          expect(e.insertions - e.deletions).toBe(g.insertions - g.deletions);
          expect(e.insertions).toBeLessThanOrEqual(g.insertions);
          expect(e.deletions).toBeLessThanOrEqual(g.deletions);
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
