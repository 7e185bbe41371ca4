import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Tree } from "../src/lib/tree";
import { treeStat } from "../src/session/diff";
import { type GenTree, treePairArb } from "./helpers/diff-cases";
import { gitRunner, writeFiles } from "./helpers/git-cli.node";

const RUNS = Number(process.env.DIFF_RUNS ?? 150);
const work = mkdtempSync(join(tmpdir(), "tree-stat-git-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = gitRunner(work);

function git(args: string[], cwd: string): string {
  const r = run(args, cwd);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** `git diff --numstat` from `from` to `to`, committed in a fresh repository: path → counts (null for binary). */
function gitNumstat(from: GenTree, to: GenTree) {
  const dir = mkdtempSync(join(work, "repo-"));
  git(["init", "-q"], dir);
  writeFiles(dir, from);
  git(["add", "-A"], dir);
  git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "from"], dir);
  for (const e of readdirSync(dir)) if (e !== ".git") rmSync(join(dir, e), { recursive: true, force: true });
  writeFiles(dir, to);
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
