import { unzipSync, type Zippable, zipSync } from "fflate";
import { AppError } from "../errors";
import type { FileMode, Tree } from "./tree";

// A tree as a zip archive: entries at the archive root (no wrapping folder), each file's unix
// mode in the high 16 bits of its external attributes with "made by" = Unix, which is what
// `unzip` and CodeBuild read to restore executable bits.

const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** A fixed entry time, so the same tree always gives the same bytes (and the same ETag). */
const ENTRY_TIME = new Date("2000-01-01T00:00:00Z");

const utf8 = new TextEncoder();

export function zipTree(tree: Tree): Uint8Array {
  const entries: Zippable = {};
  for (const path of [...tree.keys()].sort()) {
    const file = tree.get(path)!;
    entries[path] = [
      utf8.encode(file.content),
      { os: UNIX, attrs: (parseInt(file.mode, 8) << 16) >>> 0, mtime: ENTRY_TIME, level: 6 },
    ];
  }
  return zipSync(entries);
}

export interface ZipEntryInfo {
  /** The unix mode from the external attributes, or null when the entry was not made on Unix. */
  mode: number | null;
  isDirectory: boolean;
}

/** Reads the central directory (fflate's unzip does not expose the external attributes). */
export function zipEntryInfo(bytes: Uint8Array): Map<string, ZipEntryInfo> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip archive: no end of central directory");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const out = new Map<string, ZipEntryInfo>();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) {
      throw new Error("corrupt zip central directory");
    }
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const flags = view.getUint16(at + 8, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const attrs = view.getUint32(at + 38, true);
    const rawName = bytes.subarray(at + 46, at + 46 + nameLen);
    // Without the UTF-8 flag a name is CP437 by the spec; fflate reads it as Latin-1, and so do we
    // (names stay consistent with the ones unzipSync hands back).
    const name = flags & 0x800 ? new TextDecoder().decode(rawName) : String.fromCharCode(...rawName);
    const mode = madeBy === UNIX ? attrs >>> 16 : null;
    const isDirectory = name.endsWith("/") || (mode !== null && (mode & S_IFMT) === S_IFDIR);
    out.set(name, { mode, isDirectory });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function fileMode(mode: number | null): FileMode {
  if (mode === null || (mode & S_IFMT) !== S_IFREG) return "100644";
  return mode & 0o111 ? "100755" : "100644";
}

/** An archive made by `zipTree` (or any zip of UTF-8 text files) back into a tree. */
export function unzipTree(bytes: Uint8Array): Tree {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let files: Record<string, Uint8Array>;
  let info: Map<string, ZipEntryInfo>;
  try {
    info = zipEntryInfo(bytes);
    files = unzipSync(bytes, { filter: (f) => !info.get(f.name)?.isDirectory && !f.name.endsWith("/") });
  } catch (err) {
    throw new AppError("internal", "A snapshot archive could not be read", { cause: err });
  }
  const tree: Tree = new Map();
  for (const [path, data] of Object.entries(files)) {
    if (path.startsWith("/") || path.split("/").some((s) => s === ".." || s === "." || s === "")) {
      throw new AppError("internal", "A snapshot archive holds an unsafe path", { cause: new Error(path) });
    }
    let content: string;
    try {
      content = decoder.decode(data);
    } catch (err) {
      throw new AppError("internal", "A snapshot archive holds a file that is not UTF-8 text", {
        cause: new Error(`${path}: ${String(err)}`),
      });
    }
    tree.set(path, { content, mode: fileMode(info.get(path)?.mode ?? null) });
  }
  return tree;
}
