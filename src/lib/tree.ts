/** An app's source tree: UTF-8 text files keyed by their path relative to the root. */
export type FileMode = "100644" | "100755";

export interface TreeFile {
  content: string;
  mode: FileMode;
}

export type Tree = Map<string, TreeFile>;

export interface TreeEntry extends TreeFile {
  path: string;
}

export function treeEntries(tree: Tree): TreeEntry[] {
  return [...tree.entries()]
    .map(([path, f]) => ({ path, content: f.content, mode: f.mode }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
