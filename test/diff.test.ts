import { describe, expect, it } from "vitest";
import type { FileMode, Tree } from "../src/lib/tree";
import { applyUnifiedDiff, diffStat } from "../src/session/diff";
import { AGENT_SECRET, readSseData } from "./helpers/agent-stand-in";
import { standInUrl } from "./helpers/env";

function tree(files: Record<string, string | [string, FileMode]>): Tree {
  const t: Tree = new Map();
  for (const [path, f] of Object.entries(files)) {
    const [content, mode] = typeof f === "string" ? [f, "100644" as const] : f;
    t.set(path, { content, mode });
  }
  return t;
}

function snapshot(t: Tree): Record<string, string> {
  return Object.fromEntries([...t].map(([p, f]) => [p, `${f.mode}:${f.content}`]));
}

function ok(base: Tree, diff: string | null) {
  const r = applyUnifiedDiff(base, diff);
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.reason}`);
  return r;
}

/** A git "new file" section. */
function created(path: string, content: string, mode: FileMode = "100644"): string {
  let out = `diff --git a/${path} b/${path}\nnew file mode ${mode}\nindex 0000000..1234567\n`;
  if (content === "") return out;
  const lines = content.split("\n");
  const noEol = !content.endsWith("\n");
  if (!noEol) lines.pop();
  out += `--- /dev/null\n+++ b/${path}\n@@ -0,0 +1${lines.length === 1 ? "" : `,${lines.length}`} @@\n`;
  out += lines.map((l) => `+${l}\n`).join("");
  return out + (noEol ? "\\ No newline at end of file\n" : "");
}

const EDIT_BASE = () =>
  tree({
    "README.md": "# App\n\nHello\n",
    "src/a.ts": "export const a = 1;\nexport const b = 2;\n",
    "src/b.ts": "one\ntwo\nthree\n",
  });

const README_EDIT =
  "diff --git a/README.md b/README.md\nindex 1111111..2222222 100644\n--- a/README.md\n+++ b/README.md\n" +
  "@@ -1,3 +1,4 @@\n # App\n \n Hello\n+World\n";

describe("applyUnifiedDiff", () => {
  it("creates every file of a full diff against the empty tree: modes, nested paths, empty file, no final newline", () => {
    const diff =
      created("README.md", "# App\n") +
      created("scripts/start.sh", "#!/bin/sh\necho hi\n", "100755") +
      created("public/media/x.txt", "no newline") +
      created("public/media/.gitkeep", "") +
      created("src/deep/er/index.ts", "export {};\n");
    const r = ok(new Map(), diff);
    expect(snapshot(r.tree)).toEqual({
      "README.md": "100644:# App\n",
      "scripts/start.sh": "100755:#!/bin/sh\necho hi\n",
      "public/media/x.txt": "100644:no newline",
      "public/media/.gitkeep": "100644:",
      "src/deep/er/index.ts": "100644:export {};\n",
    });
    expect(r.changed).toHaveLength(5);
    expect(r.deleted).toEqual([]);
    expect(r.skippedPaths).toEqual([]);
  });

  it("strips only the leading b/: b/public/media/x.png stays public/media/x.png, not public/medix.png (fault 3)", () => {
    const r = ok(new Map(), created("public/media/x.png", "not really a png\n"));
    expect([...r.tree.keys()]).toEqual(["public/media/x.png"]);
  });

  it("keeps a file literally under folders named a and b through the prefix strip", () => {
    const r = ok(new Map(), created("a/b/a.txt", "A\n") + created("b/a/b.txt", "B\n"));
    expect([...r.tree.keys()].sort()).toEqual(["a/b/a.txt", "b/a/b.txt"]);
  });

  it("unquotes C-quoted paths with octal UTF-8 bytes, quotes and tabs (git's trailing tab after the name too)", () => {
    const diff =
      'diff --git "a/sp \\303\\251\\"q\\".txt" "b/sp \\303\\251\\"q\\".txt"\nnew file mode 100644\nindex 0000000..b78059d\n' +
      '--- /dev/null\n+++ "b/sp \\303\\251\\"q\\".txt"\t\n@@ -0,0 +1 @@\n+tab\there\n\\ No newline at end of file\n' +
      "diff --git a/with space.txt b/with space.txt\nnew file mode 100644\nindex 0000000..1111111\n" +
      "--- /dev/null\n+++ b/with space.txt\t\n@@ -0,0 +1 @@\n+s\n";
    const r = ok(new Map(), diff);
    expect(snapshot(r.tree)).toEqual({ 'sp é"q".txt': "100644:tab\there", "with space.txt": "100644:s\n" });
  });

  it("applies deletions: a deleted file leaves the tree (fault 3: deleted files stayed)", () => {
    const base = EDIT_BASE();
    const diff =
      "diff --git a/src/b.ts b/src/b.ts\ndeleted file mode 100644\nindex 3333333..0000000\n" +
      "--- a/src/b.ts\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-one\n-two\n-three\n";
    const r = ok(base, diff);
    expect(r.tree.has("src/b.ts")).toBe(false);
    expect(r.deleted).toEqual(["src/b.ts"]);
    expect(r.diffStat).toEqual([{ path: "src/b.ts", insertions: 0, deletions: 3 }]);
  });

  it("deletes an empty file (no hunks) and a file without a final newline, and empties a file", () => {
    const base = tree({ empty: "", full: "x\n", noeol: "a\nb" });
    const diff =
      "diff --git a/empty b/empty\ndeleted file mode 100644\nindex e69de29..0000000\n" +
      "diff --git a/noeol b/noeol\ndeleted file mode 100644\nindex 1..0000000\n--- a/noeol\n+++ /dev/null\n" +
      "@@ -1,2 +0,0 @@\n-a\n-b\n\\ No newline at end of file\n" +
      "diff --git a/full b/full\nindex 587be6b..e69de29 100644\n--- a/full\n+++ b/full\n@@ -1 +0,0 @@\n-x\n";
    const r = ok(base, diff);
    expect(snapshot(r.tree)).toEqual({ full: "100644:" });
  });

  it("refuses a deletion whose content does not match the tree", () => {
    const diff =
      "diff --git a/src/b.ts b/src/b.ts\ndeleted file mode 100644\nindex 3333333..0000000\n" +
      "--- a/src/b.ts\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n";
    const r = applyUnifiedDiff(EDIT_BASE(), diff);
    expect(r.ok).toBe(false);
  });

  it("keeps the executable bit through a content edit and applies old mode/new mode changes (fault 3)", () => {
    const base = tree({ "run.sh": ["#!/bin/sh\necho hi\n", "100755"], "keep.txt": "k\n" });
    const diff =
      "diff --git a/keep.txt b/keep.txt\nold mode 100644\nnew mode 100755\n" +
      "diff --git a/run.sh b/run.sh\nindex 4163036..21ba682 100755\n--- a/run.sh\n+++ b/run.sh\n" +
      "@@ -1,2 +1,2 @@\n #!/bin/sh\n-echo hi\n+echo hello\n";
    const r = ok(base, diff);
    expect(snapshot(r.tree)).toEqual({
      "run.sh": "100755:#!/bin/sh\necho hello\n",
      "keep.txt": "100755:k\n",
    });
    expect(r.changed).toEqual(["keep.txt", "run.sh"]);
  });

  it("adds and removes the final newline exactly (\\ No newline at end of file on either side)", () => {
    const base = tree({ add: "a\nb", remove: "a\nb\n", keepNone: "x\ny" });
    const diff =
      "diff --git a/add b/add\nindex 1..2 100644\n--- a/add\n+++ b/add\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n" +
      "diff --git a/remove b/remove\nindex 1..2 100644\n--- a/remove\n+++ b/remove\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n" +
      "diff --git a/keepNone b/keepNone\nindex 1..2 100644\n--- a/keepNone\n+++ b/keepNone\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n";
    const r = ok(base, diff);
    expect(snapshot(r.tree)).toEqual({
      add: "100644:a\nb\n",
      remove: "100644:a\nb",
      keepNone: "100644:x\nz",
    });
  });

  it("a half-applied patch changes nothing: the second file's hunk does not apply → patch_failed (fault 3)", () => {
    const base = EDIT_BASE();
    const before = snapshot(base);
    const diff =
      README_EDIT +
      "diff --git a/src/b.ts b/src/b.ts\nindex 1..2 100644\n--- a/src/b.ts\n+++ b/src/b.ts\n" +
      "@@ -1,2 +1,3 @@\n this line is not in the file\n two\n+added\n";
    const r = applyUnifiedDiff(base, diff);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe("patch_failed");
    expect(snapshot(base)).toEqual(before);
  });

  it("never mutates the base tree or its file objects", () => {
    const base = EDIT_BASE();
    const readme = base.get("README.md")!;
    const before = snapshot(base);
    const r = ok(base, README_EDIT);
    expect(snapshot(base)).toEqual(before);
    expect(readme.content).toBe("# App\n\nHello\n");
    expect(r.tree.get("README.md")!.content).toBe("# App\n\nHello\nWorld\n");
  });

  it("renames with and without a content change, and copies", () => {
    const base = tree({ "moved.txt": "alpha\nbeta\ngamma\ndelta\n", "plain.txt": "p\n", "orig.txt": "o\n" });
    const diff =
      "diff --git a/moved.txt b/renamed.txt\nsimilarity index 74%\nrename from moved.txt\nrename to renamed.txt\n" +
      "index 7a28df3..600d48a 100644\n--- a/moved.txt\n+++ b/renamed.txt\n@@ -2,3 +2,4 @@ alpha\n beta\n gamma\n delta\n+epsilon\n" +
      "diff --git a/plain.txt b/dir/plain.txt\nsimilarity index 100%\nrename from plain.txt\nrename to dir/plain.txt\n" +
      "diff --git a/orig.txt b/copy.txt\nsimilarity index 100%\ncopy from orig.txt\ncopy to copy.txt\n";
    const r = ok(base, diff);
    expect(snapshot(r.tree)).toEqual({
      "renamed.txt": "100644:alpha\nbeta\ngamma\ndelta\nepsilon\n",
      "dir/plain.txt": "100644:p\n",
      "orig.txt": "100644:o\n",
      "copy.txt": "100644:o\n",
    });
    expect(r.deleted).toEqual(["moved.txt", "plain.txt"]);
    expect(r.changed).toEqual(["copy.txt", "dir/plain.txt", "renamed.txt"]);
  });

  it("refuses creating a file that exists and changing a file that does not (patch_failed)", () => {
    const exists = applyUnifiedDiff(EDIT_BASE(), created("README.md", "again\n"));
    expect(exists.ok ? "ok" : exists.code).toBe("patch_failed");
    const missing = applyUnifiedDiff(new Map(), README_EDIT);
    expect(missing.ok ? "ok" : missing.code).toBe("patch_failed");
  });

  it.each([
    ["an absolute path", created("/etc/passwd", "x\n")],
    ["a .. segment", created("../evil.txt", "x\n")],
    ["a nested .. segment", created("src/../../evil.txt", "x\n")],
    [".git/config", created(".git/config", "x\n")],
    ["sub/.git/x", created("sub/.git/x", "x\n")],
    [".GIT in another case", created(".GIT/hooks/pre-commit", "x\n")],
    ["a backslash", created("src\\evil.txt", "x\n")],
    ["a NUL byte", created("evil\0.txt", "x\n")],
  ])("refuses the whole diff for %s (unsafe_path), nothing changes", (_name, bad) => {
    const base = EDIT_BASE();
    const before = snapshot(base);
    const r = applyUnifiedDiff(base, README_EDIT + bad);
    expect(r.ok ? "ok" : r.code).toBe("unsafe_path");
    expect(snapshot(base)).toEqual(before);
  });

  it("refuses an unsafe rename target (unsafe_path)", () => {
    const diff =
      "diff --git a/README.md b/../README.md\nsimilarity index 100%\nrename from README.md\nrename to ../README.md\n";
    const r = applyUnifiedDiff(EDIT_BASE(), diff);
    expect(r.ok ? "ok" : r.code).toBe("unsafe_path");
  });

  it("Binary files … differ: that file is skipped (kept or not created), listed in skippedPaths, the rest applies", () => {
    const base = tree({ "logo.png": "old bytes", "README.md": "# App\n\nHello\n" });
    const diff =
      README_EDIT +
      "diff --git a/logo.png b/logo.png\nindex 1111111..2222222 100644\nBinary files a/logo.png and b/logo.png differ\n" +
      "diff --git a/public/new.png b/public/new.png\nnew file mode 100644\nindex 0000000..3333333\n" +
      "Binary files /dev/null and b/public/new.png differ\n" +
      "diff --git a/icon.ico b/icon.ico\nnew file mode 100644\nindex 0000000..4444444\nGIT binary patch\nliteral 4\nLcmZQzU|;|M00aO5\n\nliteral 0\nHcmV?d00001\n\n";
    const r = ok(base, diff);
    expect(snapshot(r.tree)).toEqual({
      "logo.png": "100644:old bytes",
      "README.md": "100644:# App\n\nHello\nWorld\n",
    });
    expect(r.skippedPaths).toEqual(["icon.ico", "logo.png", "public/new.png"]);
    expect(r.changed).toEqual(["README.md"]);
  });

  it("the legacy empty-diff note, an empty diff and null are ok with no change", () => {
    const base = EDIT_BASE();
    for (const d of ["# Note: This is a valid empty diff (means no changes from template)", "", null]) {
      const r = ok(base, d);
      expect(snapshot(r.tree)).toEqual(snapshot(base));
      expect(r.changed).toEqual([]);
      expect(r.deleted).toEqual([]);
    }
  });

  it("the legacy # ERROR GENERATING DIFF text is an agent_error", () => {
    const r = applyUnifiedDiff(EDIT_BASE(), "# ERROR GENERATING DIFF: fatal: bad object\n");
    expect(r.ok ? "ok" : r.code).toBe("agent_error");
  });

  it("text that is not a diff is patch_failed", () => {
    const r = applyUnifiedDiff(EDIT_BASE(), "I could not do it, sorry.\n");
    expect(r.ok ? "ok" : r.code).toBe("patch_failed");
  });

  it("keeps CRLF line endings exactly", () => {
    const base = tree({ "win.txt": "a\r\nb\r\n" });
    const diff =
      "diff --git a/win.txt b/win.txt\nindex 1..2 100644\n--- a/win.txt\n+++ b/win.txt\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n";
    expect(ok(base, diff).tree.get("win.txt")!.content).toBe("a\r\nc\r\n");
  });

  it("applies a 500-file, 5 MB full diff (its time is printed by the bench, not asserted)", () => {
    const line = `${"x".repeat(99)}\n`;
    const content = line.repeat(100);
    let diff = "";
    for (let i = 0; i < 500; i++) diff += created(`src/dir${i % 20}/file-${i}.ts`, content);
    expect(diff.length).toBeGreaterThan(5_000_000);
    const r = ok(new Map(), diff);
    const stat = diffStat(diff);
    expect(r.tree.size).toBe(500);
    expect(stat).toHaveLength(500);
  });
});

describe("diffStat", () => {
  it("counts per-file insertions and deletions without a base; a removed line reading '--- x' is not a header", () => {
    const diff =
      README_EDIT +
      "diff --git a/notes.md b/notes.md\nindex 1..2 100644\n--- a/notes.md\n+++ b/notes.md\n" +
      "@@ -1,3 +1,2 @@\n keep\n--- x\n-++ y\n+new\n" +
      "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex 1..0\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n" +
      "diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0..1\nBinary files /dev/null and b/logo.png differ\n" +
      "diff --git a/old.txt b/new.txt\nsimilarity index 100%\nrename from old.txt\nrename to new.txt\n";
    expect(diffStat(diff)).toEqual([
      { path: "README.md", insertions: 1, deletions: 0 },
      { path: "notes.md", insertions: 1, deletions: 2 },
      { path: "gone.txt", insertions: 0, deletions: 1 },
      { path: "logo.png", insertions: 0, deletions: 0 },
      { path: "new.txt", insertions: 0, deletions: 0 },
    ]);
  });

  it("agrees with the stat applyUnifiedDiff reports, and is empty for legacy notes and null", () => {
    const diff = created("a.txt", "1\n2\n") + README_EDIT;
    const base = tree({ "README.md": "# App\n\nHello\n" });
    expect(diffStat(diff)).toEqual(ok(base, diff).diffStat);
    expect(diffStat(null)).toEqual([]);
    expect(diffStat("# Note: This is a valid empty diff (means no changes from template)")).toEqual([]);
  });
});

describe("applyUnifiedDiff with the agent stand-in's diffs", () => {
  async function agentRun(body: Record<string, unknown>) {
    const res = await fetch(`${standInUrl("agent")}/message`, {
      method: "POST",
      headers: { authorization: `Bearer ${AGENT_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const events = (await readSseData(res)).map(
      (d) =>
        JSON.parse(d) as {
          message: { unifiedDiff: string | null; agentState: Record<string, unknown> | null };
        },
    );
    return events;
  }
  const ids = () => {
    const applicationId = crypto.randomUUID();
    return { applicationId, traceId: `app-${applicationId}.req-1` };
  };

  it("a build's final diff supersedes its initial one; an edit then applies to the built tree", async () => {
    const app = ids();
    const build = await agentRun({ ...app, allMessages: [{ role: "user", content: "A todo list" }] });
    const initial = ok(new Map(), build[2]!.message.unifiedDiff);
    expect(initial.tree.get("README.md")!.content).toContain("Template");
    const built = ok(new Map(), build.at(-1)!.message.unifiedDiff);
    expect(built.tree.get("scripts/start.sh")!.mode).toBe("100755");
    expect(built.tree.get("public/media/x.txt")!.content).toBe("x marks the spot");
    expect(built.tree.get("public/media/.gitkeep")!.content).toBe("");

    const allFiles = [...built.tree].map(([path, f]) => ({ path, content: f.content }));
    const state = build.at(-1)!.message.agentState;
    const edit = await agentRun({
      ...app,
      allMessages: [
        { role: "user", content: "A todo list" },
        { role: "user", content: "Add due dates" },
      ],
      agentState: { ...state, big: undefined },
      allFiles,
    });
    const edited = ok(built.tree, edit.at(-1)!.message.unifiedDiff);
    expect(edited.tree.has("src/old-helper.ts")).toBe(false);
    expect(edited.tree.get("README.md")!.content).toMatch(/## Change 2\n\nAdd due dates\n$/);
    expect(edited.tree.get("scripts/start.sh")!.mode).toBe("100755");
    expect(edited.deleted).toEqual(["src/old-helper.ts"]);
    expect(edited.changed).toEqual(["README.md", "src/change-2.ts"]);
  });

  it("the stand-in's bad_patch, traversal and binary diffs are refused or skipped as specified", async () => {
    const app = ids();
    const built = ok(
      new Map(),
      (await agentRun({ ...app, allMessages: [{ role: "user", content: "x" }] })).at(-1)!.message.unifiedDiff,
    );
    const allFiles = [...built.tree].map(([path, f]) => ({ path, content: f.content }));
    const cont = { ...app, agentState: { fsm_state: { turn: 1 } }, allFiles };
    const run = async (marker: string) =>
      (await agentRun({ ...cont, allMessages: [{ role: "user", content: marker }] })).at(-1)!.message
        .unifiedDiff;

    const bad = applyUnifiedDiff(built.tree, await run("[scenario:bad_patch]"));
    expect(bad.ok ? "ok" : bad.code).toBe("patch_failed");
    for (const which of ["dotdot", "git", "absolute"]) {
      const r = applyUnifiedDiff(built.tree, await run(`[scenario:traversal which=${which}]`));
      expect(r.ok ? "ok" : r.code).toBe("unsafe_path");
    }
    const bin = ok(built.tree, await run("[scenario:binary]"));
    expect(bin.skippedPaths).toEqual(["public/logo.png"]);
    expect(bin.tree.has("docs/assets.md")).toBe(true);
  });
});
