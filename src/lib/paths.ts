/**
 * The one rule for a file path of an app's tree. The diff gate, the S3 keys and the GitHub tree
 * all use it, so a path is either accepted everywhere or refused before anything is written.
 */

/** S3 keys end at 1,024 bytes; paths are capped there too (the key prefix is checked separately). */
export const MAX_PATH_BYTES = 1024;

// Characters HFS+ (macOS) ignores when comparing names, so `.g\u200cit` is `.git` there.
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;
// C0 and C1 controls and DEL: they break headers, logs and terminals, and git quotes them.
const CONTROL = /\p{Cc}/u;
// Line and paragraph separators (U+2028, U+2029) break a name across lines wherever it is shown.
const LINE_SEPARATOR = /[\p{Zl}\p{Zp}]/u;
// Invisible format characters (zero-width, bidi controls, BOM, soft hyphen): a name holding one
// prints like another name, or reorders what is printed after it.
const FORMAT = /\p{Cf}/u;
// Spaces other than U+0020 (no-break, ideographic, ...): `a\u00a0b` would print as `a b`.
const ODD_SPACE = /[^\P{Zs} ]/u;
// Windows drops trailing spaces and dots, and a leading or lone space is invisible in a listing.
const EDGE_BLANK = /^\s|[\s.]$/;

const utf8 = new TextEncoder();

/**
 * Whether a path segment names the repository's `.git` on some file system: any case, trailing
 * dots and spaces (Windows drops them), the 8.3 short name `git~1`, an NTFS stream suffix
 * (`.git::$INDEX_ALLOCATION`), or with the code points HFS+ ignores.
 */
export function isGitDirName(segment: string): boolean {
  const colon = segment.indexOf(":");
  const name = (colon === -1 ? segment : segment.slice(0, colon))
    .replace(HFS_IGNORED, "")
    .toLowerCase()
    .replace(/[. ]+$/, "");
  return name === ".git" || name === "git~1";
}

/** Why a path may not be a file of a tree, or null when it is a plain relative path inside it. */
export function pathProblem(path: string): string | null {
  if (path === "") return "empty path";
  if (CONTROL.test(path)) return "control character in path";
  if (LINE_SEPARATOR.test(path)) return "line separator in path";
  if (FORMAT.test(path)) return "invisible format character in path";
  if (ODD_SPACE.test(path)) return "space other than U+0020 in path";
  if (path.includes("\\")) return "backslash in path";
  if (!path.isWellFormed()) return "lone surrogate in path";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute path";
  if (utf8.encode(path).byteLength > MAX_PATH_BYTES) return `path longer than ${MAX_PATH_BYTES} bytes`;
  for (const seg of path.split("/")) {
    if (seg === "") return "empty path segment";
    if (seg === "." || seg === "..") return "dot segment";
    if (isGitDirName(seg)) return ".git segment";
    if (EDGE_BLANK.test(seg)) return "path segment starting with a space or ending in a space or dot";
  }
  return null;
}

export const isSafePath = (path: string): boolean => pathProblem(path) === null;

/**
 * A path that is a file while another path uses it as a folder (`a` and `a/b`): no file system
 * or git tree can hold both. Returns the first such file path, or null.
 */
export function fileFolderClash(paths: Iterable<string>): string | null {
  const files = new Set(paths);
  for (const p of files) {
    for (let i = p.indexOf("/"); i !== -1; i = p.indexOf("/", i + 1)) {
      const dir = p.slice(0, i);
      if (files.has(dir)) return dir;
    }
  }
  return null;
}
