import { gitHeaderNewName, headerName, stripPrefix } from "./paths";

export interface DiffStatEntry {
  path: string;
  insertions: number;
  deletions: number;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/**
 * Per-file insertions and deletions of a unified diff, without a base tree. One pass over the
 * lines; hunk bodies are counted by their header's line counts so a removed line that reads
 * `--- x` is not taken for a file header.
 */
export function diffStat(diffText: string | null | undefined): DiffStatEntry[] {
  if (!diffText || diffText.startsWith("# ")) return [];
  const out: DiffStatEntry[] = [];
  let cur: DiffStatEntry | null = null;
  let hunksSeen = false;
  let oldLeft = 0;
  let newLeft = 0;
  const start = (path: string) => {
    cur = { path, insertions: 0, deletions: 0 };
    hunksSeen = false;
    out.push(cur);
    return cur;
  };
  for (const line of diffText.split("\n")) {
    if (oldLeft > 0 || newLeft > 0) {
      const c = line[0];
      if (c === "+") {
        cur!.insertions++;
        newLeft--;
        continue;
      }
      if (c === "-") {
        cur!.deletions++;
        oldLeft--;
        continue;
      }
      if (c === " " || line === "") {
        oldLeft--;
        newLeft--;
        continue;
      }
      if (c === "\\") continue;
      oldLeft = 0;
      newLeft = 0;
    }
    if (line.startsWith("diff --git ")) {
      start(stripPrefix(gitHeaderNewName(line) ?? "", "b/"));
    } else if (line.startsWith("@@ ")) {
      const m = HUNK.exec(line);
      if (!m) continue;
      const entry: DiffStatEntry = cur ?? start("");
      cur = entry;
      hunksSeen = true;
      oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      newLeft = m[2] === undefined ? 1 : Number(m[2]);
    } else if (line.startsWith("--- ")) {
      // Plain (non-git) diffs have no `diff --git` line: `---` opens the next file.
      const name = headerName(line.slice(4));
      if (!cur || hunksSeen) start(name === "/dev/null" ? "" : stripPrefix(name, "a/"));
      else if (!(cur as DiffStatEntry).path && name !== "/dev/null")
        (cur as DiffStatEntry).path = stripPrefix(name, "a/");
    } else if (line.startsWith("+++ ") && cur) {
      const name = headerName(line.slice(4));
      if (name !== "/dev/null") (cur as DiffStatEntry).path = stripPrefix(name, "b/");
    } else if ((line.startsWith("rename to ") || line.startsWith("copy to ")) && cur) {
      (cur as DiffStatEntry).path = headerName(line.slice(line.indexOf(" to ") + 4));
    }
  }
  return out;
}
