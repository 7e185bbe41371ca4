import type { Tree } from "../../lib/tree";
import type { DiffStatEntry } from "./stat";

/** The lines of a text; a last line without its newline is told apart (git counts that change). */
const linesOf = (text: string) => {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  else lines[lines.length - 1] += "\u0000no newline";
  return lines;
};

/**
 * Lines inserted and deleted from `a` to `b`: the common first and last lines are set aside, and
 * of the rest, a line counts as kept as many times as it appears on both sides. The same counts
 * as `git diff --numstat` whenever the change is one block or lines only come and go; where git
 * pairs fewer lines (a line that moved), these counts are lower, never higher, and their
 * difference (the net change in lines) is always git's.
 */
function lineStat(a: string, b: string): { insertions: number; deletions: number } {
  const x = linesOf(a);
  const y = linesOf(b);
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  const left = new Map<string, number>();
  for (let i = start; i < endX; i++) left.set(x[i]!, (left.get(x[i]!) ?? 0) + 1);
  let kept = 0;
  for (let i = start; i < endY; i++) {
    const n = left.get(y[i]!) ?? 0;
    if (n > 0) {
      left.set(y[i]!, n - 1);
      kept++;
    }
  }
  return { insertions: endY - start - kept, deletions: endX - start - kept };
}

/** Per-file change from one tree to another: added, removed, changed (content or mode) paths. */
export function treeStat(from: Tree, to: Tree): DiffStatEntry[] {
  const out: DiffStatEntry[] = [];
  for (const path of [...new Set([...from.keys(), ...to.keys()])].sort()) {
    const a = from.get(path);
    const b = to.get(path);
    if (a && b && a.content === b.content && a.mode === b.mode) continue;
    out.push({ path, ...lineStat(a?.content ?? "", b?.content ?? "") });
  }
  return out;
}

/** The totals of a diff stat. */
export function statSummary(stat: DiffStatEntry[]): { files: number; insertions: number; deletions: number } {
  let insertions = 0;
  let deletions = 0;
  for (const e of stat) {
    insertions += e.insertions;
    deletions += e.deletions;
  }
  return { files: stat.length, insertions, deletions };
}
