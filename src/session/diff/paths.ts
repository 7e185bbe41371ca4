/** Paths in git diffs: C-style unquoting, the `a/`/`b/` prefixes, and what may enter the tree. */
import { pathProblem } from "../../lib/paths";

const ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
};

// ignoreBOM keeps a leading U+FEFF, so the path rule sees the name the diff wrote, not one without it.
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Reads a git C-quoted name at the start of `s` (which begins with `"`). Octal escapes are bytes
 * of UTF-8. Returns the name and how many characters it took, or null when unterminated.
 */
export function readQuoted(s: string): { name: string; length: number } | null {
  let out = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += decoder.decode(new Uint8Array(bytes));
    bytes = [];
  };
  for (let i = 1; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"') {
      flush();
      return { name: out, length: i + 1 };
    }
    if (ch !== "\\") {
      flush();
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next !== undefined && /[0-7]/.test(next)) {
      const oct = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return null;
      bytes.push(Number.parseInt(oct, 8));
      i += 3;
      continue;
    }
    const mapped = next === undefined ? undefined : ESCAPES[next];
    if (mapped === undefined) return null;
    flush();
    out += mapped;
    i++;
  }
  return null;
}

/** A name as written on a `---`/`+++`/`rename to` line: quoted, or raw up to a tab. */
export function headerName(raw: string): string {
  if (raw.startsWith('"')) return readQuoted(raw)?.name ?? raw;
  const tab = raw.indexOf("\t");
  return tab === -1 ? raw.replace(/\s+$/, "") : raw.slice(0, tab);
}

/** The new-side name of a `diff --git a/X b/Y` line (prefix kept), or null if unreadable. */
export function gitHeaderNewName(line: string): string | null {
  const rest = line.slice("diff --git ".length);
  if (rest.startsWith('"')) {
    const first = readQuoted(rest);
    if (!first) return null;
    const after = rest.slice(first.length + 1);
    return after.startsWith('"') ? (readQuoted(after)?.name ?? null) : after;
  }
  const quote = rest.indexOf(' "');
  if (quote !== -1) return readQuoted(rest.slice(quote + 1))?.name ?? null;
  // Same old and new name (the only unquoted case without rename lines): split in the middle.
  const splits: number[] = [];
  for (let i = rest.indexOf(" b/"); i !== -1; i = rest.indexOf(" b/", i + 1)) splits.push(i);
  if (!splits.length) return null;
  return rest.slice(splits[Math.floor(splits.length / 2)]! + 1);
}

/**
 * Every way to read the two names of a `diff --git X Y` line (prefixes kept). Unquoted names may
 * hold " b/", so each split is a candidate; the section's other headers decide which one is meant.
 */
export function gitHeaderNames(line: string): Array<{ oldName: string; newName: string }> {
  const rest = line.slice("diff --git ".length);
  const second = (after: string) => (after.startsWith('"') ? (readQuoted(after)?.name ?? null) : after);
  if (rest.startsWith('"')) {
    const first = readQuoted(rest);
    const newName = first && rest[first.length] === " " ? second(rest.slice(first.length + 1)) : null;
    return first && newName !== null ? [{ oldName: first.name, newName }] : [];
  }
  const quote = rest.indexOf(' "');
  if (quote !== -1) {
    const newName = readQuoted(rest.slice(quote + 1))?.name;
    return newName === undefined ? [] : [{ oldName: rest.slice(0, quote), newName }];
  }
  const out: Array<{ oldName: string; newName: string }> = [];
  for (let i = rest.indexOf(" b/"); i !== -1; i = rest.indexOf(" b/", i + 1))
    out.push({ oldName: rest.slice(0, i), newName: rest.slice(i + 1) });
  return out;
}

/** Strips exactly one leading `a/` (old side) or `b/` (new side); nothing else. */
export function stripPrefix(name: string, prefix: "a/" | "b/"): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Why a path may not enter the tree, or null when it is a plain relative path inside it. */
export const unsafeReason = pathProblem;
