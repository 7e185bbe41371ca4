import { describe, expect, it } from "vitest";
import { fileFolderClash, pathProblem } from "../src/lib/paths";
import { sha256Hex } from "../src/lib/sha256";
import type { Tree } from "../src/lib/tree";
import { prepareFiles } from "../src/services/github/files";
import { fileKey, isSafeTreePath } from "../src/services/snapshots/keys";
import { applyUnifiedDiff } from "../src/session/diff";
import { callJson, expectProblem } from "./helpers/api";
import { runToDone } from "./helpers/generation";
import { createUser } from "./helpers/users";

const APP = "0b7d3c1e-5a2f-4c8e-9d61-2f4a7b9c0e13";

const REFUSED = [
  "/etc/passwd",
  "C:/x",
  "../x",
  "a/../../x",
  "a//b",
  "./a",
  ".git/config",
  ".git./config",
  ".GIT/config",
  ".Git../HEAD",
  "sub/.git /x",
  "sub/.git. . /x",
  "git~1/config",
  "GIT~1/hooks/pre-commit",
  ".git::$INDEX_ALLOCATION/config",
  ".g\u200cit/config",
  "a\u0000b",
  "a\u0001b",
  "line\nbreak",
  "tab\there",
  "del\u007f",
  "back\\slash",
  "x".repeat(1025),
  `${"é".repeat(512)}x`,
  // Found by the path fuzz (seed 20261206): a C1 control, then a segment that is one space.
  "\u0080/ ",
  " ",
  "a/ /b",
  " lead.txt",
  "trail.txt ",
  "dir /x",
  "trail.",
  "...",
  "a\u0085b",
  "a\u00a0b",
  "\u3000",
  "a\u2028b",
  "a\u2029b",
  "zero\u200bwidth",
  "\ufeffbom.txt",
  "soft\u00adhyphen",
  "evil\u202etxt.exe",
  "iso\u2066late\u2069",
];
const ACCEPTED = [
  "README.md",
  ".gitignore",
  ".github/workflows/ci.yml",
  ".gitkeep",
  "git~2/x",
  "sub/.gitx/y",
  "src/.git-hooks/x",
  "naïve/café.txt",
  "with space.txt",
  "x".repeat(1024),
  "é".repeat(512),
  "a b/c d.txt",
  "日本語/ファイル.txt",
  "party🎉.md",
  ".env.example",
];

/** A test name that shows invisible code points as escapes. */
function shown(path: string): string {
  const json = JSON.stringify(path).replace(
    /[^\x20-\x7e]/gu,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
  return json.slice(0, 60);
}

function tree(files: Record<string, string>): Tree {
  return new Map(Object.entries(files).map(([p, content]) => [p, { content, mode: "100644" as const }]));
}

function created(path: string, content = "pwned\n"): string {
  return (
    `diff --git a/${path} b/${path}\nnew file mode 100644\nindex 0000000..1111111\n` +
    `--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${content}`
  );
}

describe("the path rule", () => {
  it.each(REFUSED.map((p) => [shown(p), p]))("refuses %s", (_, p) => {
    expect(pathProblem(p)).not.toBeNull();
    expect(isSafeTreePath(p)).toBe(false);
    expect(prepareFiles([{ path: p, content: "x" }]).skippedPaths).toEqual([p]);
  });

  it.each(ACCEPTED.map((p) => [p.slice(0, 60), p]))("accepts %s", (_, p) => {
    expect(pathProblem(p)).toBeNull();
    expect(isSafeTreePath(p)).toBe(true);
    expect(prepareFiles([{ path: p, content: "x" }]).skippedPaths).toEqual([]);
  });

  it("finds a file that another path uses as a folder", () => {
    expect(fileFolderClash(["a", "a/b"])).toBe("a");
    expect(fileFolderClash(["x/y/z", "x/y"])).toBe("x/y");
    expect(fileFolderClash(["a", "ab/c", "a.txt"])).toBeNull();
  });

  it("a GitHub commit leaves out the file that another path needs as a folder", () => {
    const prepared = prepareFiles([
      { path: "a", content: "1" },
      { path: "a/b", content: "2" },
    ]);
    expect(prepared.skippedPaths).toEqual(["a"]);
    expect(prepared.text.map((t) => t.path)).toEqual(["a/b"]);
  });

  it("every accepted path has an S3 key within 1,024 bytes, distinct from every other path's", () => {
    const keys = new Set<string>();
    for (const p of [...ACCEPTED, "long/x", `${"y".repeat(1000)}`, `${"y".repeat(999)}z`]) {
      const key = fileKey(APP, 123456, p);
      expect(new TextEncoder().encode(key).byteLength).toBeLessThanOrEqual(1024);
      keys.add(key);
    }
    expect(keys.size).toBe(ACCEPTED.length + 3);
    expect(fileKey(APP, 1, "src/a.ts")).toBe(`apps/${APP}/v1/files/src/a.ts`);
    const long = "é".repeat(512);
    expect(fileKey(APP, 1, long)).toBe(`apps/${APP}/v1/long/${sha256Hex(long)}`);
  });

  it("the key hash is SHA-256 of the path's UTF-8 bytes", async () => {
    for (const s of ["", "abc", "x".repeat(55), "x".repeat(56), "é".repeat(700)]) {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      expect(sha256Hex(s)).toBe(hex);
    }
  });
});

describe("the diff gate refuses a diff whole for any refused path", () => {
  const base = () => tree({ "README.md": "# App\n", "src/a.ts": "a\n" });

  it.each([".git./config", ".GIT/config", "sub/.git /x", "git~1/config", "x".repeat(1025)])(
    "a new file at %s",
    (path) => {
      const b = base();
      const before = new Map(b);
      const r = applyUnifiedDiff(b, created("NOTES.md", "fine\n") + created(path));
      expect(r.ok ? "ok" : r.code).toBe("unsafe_path");
      expect(b).toEqual(before);
    },
  );

  it("a path with a control character (as git quotes it)", () => {
    const diff =
      'diff --git "a/notes\\001.txt" "b/notes\\001.txt"\nnew file mode 100644\nindex 0000000..1111111\n' +
      '--- /dev/null\n+++ "b/notes\\001.txt"\n@@ -0,0 +1 @@\n+x\n';
    const r = applyUnifiedDiff(base(), diff);
    expect(r.ok ? "ok" : r.code).toBe("unsafe_path");
  });

  it("a file and a folder of the same name: within the diff, or against the tree", () => {
    const within = applyUnifiedDiff(base(), created("lib") + created("lib/x.ts"));
    expect(within.ok ? "ok" : within.code).toBe("unsafe_path");
    const againstFile = applyUnifiedDiff(base(), created("README.md/x"));
    expect(againstFile.ok ? "ok" : againstFile.code).toBe("unsafe_path");
    const againstFolder = applyUnifiedDiff(base(), created("src"));
    expect(againstFolder.ok ? "ok" : againstFolder.code).toBe("unsafe_path");
    // Deleting the file in the same diff makes room for the folder.
    const del =
      "diff --git a/README.md b/README.md\ndeleted file mode 100644\nindex 1111111..0000000\n" +
      "--- a/README.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-# App\n";
    const moved = applyUnifiedDiff(base(), del + created("README.md/x"));
    expect(moved.ok && [...moved.tree.keys()].sort()).toEqual(["README.md/x", "src/a.ts"]);
  });

  it("a name git quotes with a C1 control and a blank segment (found by fuzzing)", () => {
    const diff =
      'diff --git "a/\\302\\200/ " "b/\\302\\200/ "\nnew file mode 100644\nindex 0000000..1111111\n' +
      '--- /dev/null\n+++ "b/\\302\\200/ "\n@@ -0,0 +1 @@\n+x\n';
    const r = applyUnifiedDiff(base(), diff);
    expect(r.ok ? "ok" : r.code).toBe("unsafe_path");
  });

  it("a quoted name starting with a byte order mark keeps it, and is refused", () => {
    const diff =
      'diff --git "a/\\357\\273\\277x" "b/\\357\\273\\277x"\nnew file mode 100644\nindex 0000000..1111111\n' +
      '--- /dev/null\n+++ "b/\\357\\273\\277x"\n@@ -0,0 +1 @@\n+x\n';
    const r = applyUnifiedDiff(base(), diff);
    expect(r.ok ? [...r.tree.keys()] : r.code).toBe("unsafe_path");
  });

  it("a path of exactly 1,024 bytes is accepted", () => {
    const r = applyUnifiedDiff(base(), created(`${"x".repeat(1020)}.txt`));
    expect(r.ok).toBe(true);
  });
});

describe("a run whose diff holds a refused path", () => {
  it.each(["gitdot", "gitcase", "gitspace", "gitshort", "control", "clash", "long"])(
    "%s: error patch_failed, no version, no snapshot",
    async (which) => {
      const user = await createUser();
      const r = await runToDone(`[scenario:traversal which=${which}] x`, { token: user.token });
      const error = r.events.find((e) => e.event === "error")?.json as { code: string } | undefined;
      expect(error?.code).toBe("patch_failed");
      expect(r.events.at(-1)?.event).toBe("done");
      const app = await callJson<{ snapshotVersion: number | null }>("GET", `/apps/${r.appId}`, {
        token: user.token,
      });
      expect(app.body.snapshotVersion).toBeNull();
      expectProblem(
        await callJson("GET", `/apps/${r.appId}/read-url`, { token: user.token }),
        404,
        "no_snapshot",
      );
    },
  );
});
