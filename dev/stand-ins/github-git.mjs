// Git objects as git itself writes them (blob/tree/commit bodies, sha1 over "<type> <len>\0<body>"),
// so the stand-in's commit ids are real: the same content gives the ids `git hash-object`,
// `git mktree` and `git commit-tree` give, and the objects could be written out and checked out.
import { createHash } from "node:crypto";

const BLOB_MODES = new Set(["100644", "100755", "120000"]);
export const isBlobMode = (m) => BLOB_MODES.has(m);

/** A repository's object database: sha -> { type, body (Buffer), ...parsed }. */
export function createStore() {
  return new Map();
}

function put(store, type, body, parsed) {
  const sha = createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest("hex");
  if (!store.has(sha)) store.set(sha, { type, body, ...parsed });
  return sha;
}

export const putBlob = (store, bytes) => put(store, "blob", bytes, {});

// Git sorts tree entries by name, comparing a subtree's name as if it ended in "/".
const sortKey = (e) => Buffer.from(e.type === "tree" ? `${e.name}/` : e.name);

/** entries: [{ name, mode: "100644"|"100755"|"120000"|"40000", type, sha }] */
export function putTree(store, entries) {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
  const body = Buffer.concat(
    sorted.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")]),
  );
  return put(store, "tree", body, { entries: sorted });
}

const ident = (p) => `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;

/** { tree, parents: [sha], author: { name, email, date }, committer, message } */
export function putCommit(store, c) {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${ident(c.author)}`, `committer ${ident(c.committer)}`, "", c.message);
  return put(store, "commit", Buffer.from(lines.join("\n")), {
    tree: c.tree,
    parents: c.parents,
    author: c.author,
    committer: c.committer,
    message: c.message,
  });
}

/** Every blob under a tree: Map path -> { mode, sha }. */
export function flatten(store, treeSha, prefix = "", out = new Map()) {
  const tree = store.get(treeSha);
  for (const e of tree.entries) {
    const path = prefix + e.name;
    if (e.type === "tree") flatten(store, e.sha, `${path}/`, out);
    else out.set(path, { mode: e.mode, sha: e.sha });
  }
  return out;
}

/** Every entry under a tree, subtrees included, in git's recursive listing order. */
export function listRecursive(store, treeSha, prefix = "", out = []) {
  for (const e of store.get(treeSha).entries) {
    const path = prefix + e.name;
    out.push({ path, ...e });
    if (e.type === "tree") listRecursive(store, e.sha, `${path}/`, out);
  }
  return out;
}

/**
 * Builds the nested trees for a flat Map path -> { mode, sha } and returns the root tree's sha.
 * Throws when a path is both a file and a directory.
 */
export function buildTree(store, flat) {
  const root = new Map();
  for (const [path, entry] of flat) {
    const parts = path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.get(part);
      if (next === undefined) {
        next = new Map();
        dir.set(part, next);
      }
      if (!(next instanceof Map)) throw new Error(`${path} is below a file`);
      dir = next;
    }
    const name = parts[parts.length - 1];
    if (dir.get(name) instanceof Map) throw new Error(`${path} is a directory`);
    dir.set(name, entry);
  }
  const write = (dir) =>
    putTree(
      store,
      [...dir.entries()].map(([name, v]) =>
        v instanceof Map
          ? { name, mode: "40000", type: "tree", sha: write(v) }
          : { name, mode: v.mode, type: "blob", sha: v.sha },
      ),
    );
  return write(root);
}

/** Whether `ancestor` is reachable from `sha` through parents (or is `sha`). */
export function isAncestor(store, ancestor, sha) {
  const seen = new Set();
  const queue = [sha];
  while (queue.length) {
    const s = queue.shift();
    if (s === ancestor) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    queue.push(...(store.get(s)?.parents ?? []));
  }
  return false;
}

/** API mode of a tree entry: git writes "40000", the REST API shows "040000". */
export const apiMode = (mode) => (mode === "40000" ? "040000" : mode);
