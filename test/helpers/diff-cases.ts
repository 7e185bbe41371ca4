// Generators for differential tests of the diff application: small trees whose paths and lines
// collide often (so hunks meet ambiguous context, files meet folders of the same name), the edits
// between two trees, and mutations of a diff's text.
import fc from "fast-check";

export interface GenFile {
  /** Text, or bytes with a NUL (git shows those as binary). */
  content: string;
  mode: "100644" | "100755";
}
export type GenTree = Map<string, GenFile>;

const SEGMENTS = ["a", "b", "src", "lib", "x.txt", "y.md", "é.txt", "with space"];
const WORDS = ["alpha", "beta", "gamma", "", "  indented", "}", "{", "return 1;", "same", "same", "\ttab"];

const pathArb = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 })
  .map((segs) => segs.join("/"));

const linesArb = fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 14 });

/** File text: LF or CRLF (or mixed) lines, with or without a final newline. */
const textArb = fc
  .record({
    lines: linesArb,
    eol: fc.constantFrom("\n", "\n", "\n", "\r\n", "mixed"),
    finalNewline: fc.boolean(),
  })
  .map(({ lines, eol, finalNewline }) => {
    if (lines.length === 0) return "";
    const sep = (i: number) => (eol === "mixed" ? (i % 2 ? "\r\n" : "\n") : eol);
    let out = "";
    lines.forEach((l, i) => {
      out += l;
      if (i < lines.length - 1 || finalNewline) out += sep(i);
    });
    return out;
  });

const modeArb = fc.constantFrom<GenFile["mode"]>("100644", "100644", "100644", "100755");
const fileArb = fc.record({ content: textArb, mode: modeArb });

/** No path is both a file and a folder: the later one of such a pair is dropped. */
function consistent(entries: [string, GenFile][]): GenTree {
  const tree: GenTree = new Map();
  for (const [p, f] of entries) {
    const clash = [...tree.keys()].some((q) => q.startsWith(`${p}/`) || p.startsWith(`${q}/`));
    if (!clash) tree.set(p, f);
  }
  return tree;
}

export const treeArb = fc
  .array(fc.tuple(pathArb, fileArb), { minLength: 0, maxLength: 6 })
  .map((e) => consistent(e));

type Edit =
  | { kind: "keep" }
  | { kind: "delete" }
  | { kind: "modify"; ops: LineOp[]; mode?: GenFile["mode"] }
  | { kind: "rename"; to: string; ops: LineOp[] }
  | { kind: "mode"; mode: GenFile["mode"] };

type LineOp = { at: number; op: "insert" | "delete" | "replace"; word: string };

const lineOpArb = fc.record({
  at: fc.nat(20),
  op: fc.constantFrom<LineOp["op"]>("insert", "delete", "replace"),
  word: fc.constantFrom(...WORDS, "new line", "zeta"),
});

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.constant<Edit>({ kind: "keep" }), weight: 2 },
  { arbitrary: fc.constant<Edit>({ kind: "delete" }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("modify" as const),
      ops: fc.array(lineOpArb, { minLength: 1, maxLength: 4 }),
      mode: fc.option(modeArb, { nil: undefined }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("rename" as const),
      to: pathArb,
      ops: fc.array(lineOpArb, { maxLength: 1 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("mode" as const), mode: modeArb }), weight: 1 },
);

function editText(text: string, ops: LineOp[]): string {
  const parts = text.split(/(?<=\n)/);
  for (const o of ops) {
    const i = parts.length ? o.at % (parts.length + 1) : 0;
    const eol = parts[0]?.endsWith("\r\n") ? "\r\n" : "\n";
    if (o.op === "insert" || i >= parts.length) parts.splice(i, 0, o.word + eol);
    else if (o.op === "delete") parts.splice(i, 1);
    else parts[i] = o.word + (parts[i]!.endsWith("\r\n") ? "\r\n" : parts[i]!.endsWith("\n") ? "\n" : "");
  }
  return parts.join("");
}

/** A base tree and a target tree derived from it by edits, new files and maybe a binary file. */
export const treePairArb = fc
  .record({
    base: treeArb,
    edits: fc.array(editArb, { minLength: 6, maxLength: 6 }),
    added: fc.array(fc.tuple(pathArb, fileArb), { maxLength: 3 }),
    binary: fc.option(pathArb, { freq: 6, nil: undefined }),
  })
  .map(({ base, edits, added, binary }) => {
    const target: [string, GenFile][] = [];
    [...base].forEach(([p, f], i) => {
      const e = edits[i % edits.length]!;
      if (e.kind === "keep") target.push([p, f]);
      else if (e.kind === "modify")
        target.push([p, { content: editText(f.content, e.ops), mode: e.mode ?? f.mode }]);
      else if (e.kind === "mode") target.push([p, { ...f, mode: e.mode }]);
      else if (e.kind === "rename") target.push([e.to, { ...f, content: editText(f.content, e.ops) }]);
    });
    for (const a of added) target.push(a);
    if (binary) target.push([binary, { content: "PNG\u0000\u0001bytes\n", mode: "100644" }]);
    return { base, target: consistent(target) };
  });

/** Ways to damage a diff: each may make it fail, or change what it does. */
export type Mutation =
  | { kind: "none" }
  | { kind: "char"; line: number }
  | { kind: "dropLine"; line: number }
  | { kind: "dupLine"; line: number }
  | { kind: "crlf"; line: number }
  | { kind: "hunkCount"; line: number; delta: number }
  | { kind: "truncate"; at: number }
  | { kind: "path"; line: number; path: string };

export const HOSTILE_PATHS = [
  ".git./config",
  ".GIT/config",
  "sub/.git /x",
  "git~1/config",
  "../up.txt",
  "/abs.txt",
  "a\u0001b",
  "x".repeat(1100),
];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant<Mutation>({ kind: "none" }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant("char" as const), line: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("dropLine" as const), line: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("dupLine" as const), line: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("crlf" as const), line: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("hunkCount" as const),
      line: fc.nat(),
      delta: fc.constantFrom(-1, 1),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("path" as const),
      line: fc.nat(),
      path: fc.constantFrom(...HOSTILE_PATHS),
    }),
    weight: 2,
  },
);

/** Applies a mutation to a diff's text; returns the text unchanged when it has no target. */
export function mutate(diff: string, m: Mutation): string {
  if (m.kind === "none" || diff === "") return diff;
  const lines = diff.split(/(?<=\n)/);
  const pick = (n: number, ok: (l: string) => boolean) => {
    const idx = lines.map((l, i) => (ok(l) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? idx[n % idx.length]! : -1;
  };
  const body = (l: string) => /^[ +-]/.test(l) && !/^(\+\+\+|---) /.test(l);
  switch (m.kind) {
    case "char": {
      const i = pick(m.line, (l) => /^[ -]/.test(l) && !l.startsWith("--- "));
      if (i < 0) return diff;
      lines[i] = `${lines[i]![0]}~${lines[i]!.slice(1)}`;
      break;
    }
    case "dropLine": {
      const i = pick(m.line, body);
      if (i >= 0) lines.splice(i, 1);
      break;
    }
    case "dupLine": {
      const i = pick(m.line, body);
      if (i >= 0) lines.splice(i, 0, lines[i]!);
      break;
    }
    case "crlf": {
      const i = pick(m.line, (l) => body(l) && l.endsWith("\n") && !l.endsWith("\r\n"));
      if (i >= 0) lines[i] = `${lines[i]!.slice(0, -1)}\r\n`;
      break;
    }
    case "hunkCount": {
      const i = pick(m.line, (l) => l.startsWith("@@ "));
      if (i >= 0)
        lines[i] = lines[i]!.replace(
          /,(\d+) @@/,
          (_, n: string) => `,${Math.max(0, Number(n) + m.delta)} @@`,
        );
      break;
    }
    case "truncate":
      return lines.slice(0, m.at % (lines.length + 1)).join("");
    case "path": {
      const i = pick(m.line, (l) => /^(diff --git |\+\+\+ b\/|--- a\/|rename to |rename from )/.test(l));
      if (i < 0) return diff;
      const l = lines[i]!;
      if (l.startsWith("diff --git ")) lines[i] = `diff --git a/${m.path} b/${m.path}\n`;
      else if (l.startsWith("+++ ")) lines[i] = `+++ b/${m.path}\n`;
      else if (l.startsWith("--- ")) lines[i] = `--- a/${m.path}\n`;
      else lines[i] = `${l.slice(0, l.indexOf(" ", 7) + 1)}${m.path}\n`;
      break;
    }
  }
  return lines.join("");
}
