// Writes diffs the way `git diff` does (headers, index lines with blob ids, modes, hunks with the
// "\ No newline at end of file" marker), so the stand-in's diffs exercise the real parser paths.
import { createHash } from "node:crypto";
import { structuredPatch } from "diff";

const ZERO = "0000000";

/** Git's short blob id of a text: sha1("blob <bytes>\0<content>"), first 7 hex digits. */
export function blobId(content) {
  const body = Buffer.from(content, "utf8");
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${body.length}\0`), body]))
    .digest("hex")
    .slice(0, 7);
}

/** Quotes a path the way git does when it holds special characters (C-style, octal for non-ASCII). */
export function gitPath(prefix, path) {
  const full = prefix + path;
  if (!/["\\\x00-\x1f\x7f-\uffff]/.test(full)) return full;
  let out = '"';
  for (const byte of Buffer.from(full, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

const range = (start, count) => {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
};

function hunksText(before, after) {
  const p = structuredPatch("", "", before, after, "", "", { context: 3 });
  let out = "";
  for (const h of p.hunks) {
    out += `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@\n`;
    out += h.lines.join("\n") + "\n";
  }
  return out;
}

/**
 * One file's section. `before`/`after` are `{ content, mode }` or null (absent).
 * Returns "" when nothing differs.
 */
export function fileSection(path, before, after) {
  const a = gitPath("a/", path);
  const b = gitPath("b/", path);
  let out = `diff --git ${a} ${b}\n`;
  if (!before && after) {
    out += `new file mode ${after.mode}\nindex ${ZERO}..${blobId(after.content)}\n`;
    if (after.content === "") return out;
    return out + `--- /dev/null\n+++ ${b}\n` + hunksText("", after.content);
  }
  if (before && !after) {
    out += `deleted file mode ${before.mode}\nindex ${blobId(before.content)}..${ZERO}\n`;
    if (before.content === "") return out;
    return out + `--- ${a}\n+++ /dev/null\n` + hunksText(before.content, "");
  }
  if (!before || !after) return "";
  const sameContent = before.content === after.content;
  if (sameContent && before.mode === after.mode) return "";
  if (before.mode !== after.mode) out += `old mode ${before.mode}\nnew mode ${after.mode}\n`;
  if (sameContent) return out;
  const modeSuffix = before.mode === after.mode ? ` ${after.mode}` : "";
  out += `index ${blobId(before.content)}..${blobId(after.content)}${modeSuffix}\n`;
  return out + `--- ${a}\n+++ ${b}\n` + hunksText(before.content, after.content);
}

/** The whole-tree diff between two trees (Map path -> { content, mode }), paths in git's order. */
export function treeDiff(before, after) {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(byteOrder);
  let out = "";
  for (const p of paths) out += fileSection(p, before.get(p) ?? null, after.get(p) ?? null);
  return out;
}

/** A "Binary files … differ" section for a new file, as git prints it without --binary. */
export function binarySection(path) {
  return (
    `diff --git ${gitPath("a/", path)} ${gitPath("b/", path)}\nnew file mode 100644\n` +
    `index ${ZERO}..${blobId(path)}\nBinary files /dev/null and ${gitPath("b/", path)} differ\n`
  );
}

export function byteOrder(x, y) {
  const a = Buffer.from(x);
  const b = Buffer.from(y);
  return Buffer.compare(a, b);
}
