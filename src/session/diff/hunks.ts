import type { StructuredPatch } from "diff";

// Hunk application with git's rules (apply.c): lines compare byte for byte, newline included (so
// "\ No newline at end of file" matters); a hunk is looked for at the line its header names in the
// text as changed so far, then ever further before and after it; a hunk starting at line 0 or 1
// must match at the start and a hunk without trailing context at the end; no fuzz.

type Hunk = StructuredPatch["hunks"][number];

interface Images {
  pre: string[];
  post: string[];
  trailing: number;
}

/** The lines a hunk expects (`pre`) and leaves (`post`), each with its newline unless marked. */
function images(h: Hunk): Images {
  const pre: string[] = [];
  const post: string[] = [];
  let last = "";
  let trailing = 0;
  for (const raw of h.lines) {
    const op = raw[0];
    if (op === "\\") {
      if (last === " " || last === "-") pre[pre.length - 1] = pre.at(-1)!.replace(/\n$/, "");
      if (last === " " || last === "+") post[post.length - 1] = post.at(-1)!.replace(/\n$/, "");
      continue;
    }
    const line = `${raw.slice(1)}\n`;
    if (op === " " || op === "-") pre.push(line);
    if (op === " " || op === "+") post.push(line);
    trailing = op === " " ? trailing + 1 : 0;
    last = op ?? "";
  }
  return { pre, post, trailing };
}

function matchesAt(img: string[], pre: string[], at: number): boolean {
  for (let i = 0; i < pre.length; i++) if (img[at + i] !== pre[i]) return false;
  return true;
}

function findPos(img: string[], pre: string[], line: number, atStart: boolean, atEnd: boolean): number {
  if (pre.length > img.length) return -1;
  const fits = (at: number) =>
    (!atStart || at === 0) && (!atEnd || at + pre.length === img.length) && matchesAt(img, pre, at);
  if (atStart) return fits(0) ? 0 : -1;
  if (atEnd) return fits(img.length - pre.length) ? img.length - pre.length : -1;
  const start = Math.min(line, img.length);
  // Git's order: the named line, then one after, one before, two after, two before, …
  for (let d = 0; start - d >= 0 || start + d <= img.length; d++) {
    if (start + d <= img.length && fits(start + d)) return start + d;
    if (d > 0 && start - d >= 0 && fits(start - d)) return start - d;
  }
  return -1;
}

/** The text with every hunk applied in order, or null when one does not apply. */
export function applyHunks(source: string, hunks: Hunk[]): string | null {
  const img = source === "" ? [] : source.split(/(?<=\n)/);
  for (const h of hunks) {
    const { pre, post, trailing } = images(h);
    // jsdiff adds one to a start whose count is 0; git reads the header as written.
    const oldPos = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newPos = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    const atStart = oldPos <= 1;
    const atEnd = trailing === 0;
    const pos = findPos(img, pre, newPos > 0 ? newPos - 1 : 0, atStart, atEnd);
    if (pos === -1) return null;
    img.splice(pos, pre.length, ...post);
  }
  return img.join("");
}
