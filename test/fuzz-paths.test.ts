// Fuzzing diff paths and diff text: whatever name a diff gives a file, the gate either refuses the
// whole diff or accepts a path that prints as itself and that S3 and GitHub hold as is; whatever
// a diff holds, the gate applies it or refuses it with a reason; it never throws. The seed is
// fixed so a failure replays; fast-check prints it with the counterexample.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pathProblem } from "../src/lib/paths";
import type { Tree } from "../src/lib/tree";
import { prepareFiles } from "../src/services/github/files";
import { fileKey } from "../src/services/snapshots/keys";
import { applyUnifiedDiff } from "../src/session/diff";

const SEED = 20261206;

/** Git's C quoting, so any name can be written in a diff. */
function quoted(name: string): string {
  if (!/["\\\u0000-\u001f\u007f-\uffff]/.test(name)) return name;
  let out = '"';
  for (const byte of new TextEncoder().encode(name)) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function created(path: string): string {
  const a = quoted(`a/${path}`);
  const b = quoted(`b/${path}`);
  return `diff --git ${a} ${b}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ ${b}\n@@ -0,0 +1 @@\n+x\n`;
}

// Characters that print as nothing, as a plain space, or as a line break.
const unseen = fc.constantFrom(
  " ",
  "\t",
  "\u0080",
  "\u0085",
  "\u00a0",
  "\u00ad",
  "\u2028",
  "\u2029",
  "\u200b",
  "\u200d",
  "\u202e",
  "\u2066",
  "\u3000",
  "\ufeff",
);
const segment = fc.oneof(
  fc.constantFrom(".git", ".GIT", ".git.", ".git ", "git~1", ".git::$DATA", "..", ".", "", "a", "src", "x."),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 12 }),
  fc
    .tuple(fc.string({ unit: "grapheme", maxLength: 4 }), unseen, fc.string({ maxLength: 4 }))
    .map((t) => t.join("")),
  fc.array(unseen, { minLength: 1, maxLength: 3 }).map((s) => s.join("")),
);
const pathArb = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/")),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.integer({ min: 1000, max: 1100 }).map((n) => "p".repeat(n)),
  fc.constantFrom("/abs", "C:/x", "a\\b", "README.md/x", "src"),
);

/** Code points that do not print as themselves: controls, format characters, separators, odd spaces. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u;

const base = (): Tree =>
  new Map([
    ["README.md", { content: "# App\n", mode: "100644" }],
    ["src/a.ts", { content: "a\n", mode: "100644" }],
  ]);

describe("diff paths under fuzzing", () => {
  it("an accepted path prints as itself: no invisible character, no blank or padded segment", () => {
    fc.assert(
      fc.property(pathArb, (path) => {
        if (pathProblem(path) !== null) return;
        expect(path).not.toMatch(INVISIBLE);
        for (const seg of path.split("/")) {
          expect(seg.trim()).toBe(seg);
          expect(seg).not.toBe("");
        }
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it("a path the rule refuses refuses the diff; one it accepts lands exactly, with a valid S3 key and GitHub path", () => {
    const appId = crypto.randomUUID();
    fc.assert(
      fc.property(pathArb, (path) => {
        const tree = base();
        const r = applyUnifiedDiff(tree, created(path));
        expect(tree.size).toBe(2);
        const clash = [...tree.keys()].some(
          (k) => k === path || k.startsWith(`${path}/`) || path.startsWith(`${k}/`),
        );
        if (pathProblem(path) !== null || clash) {
          expect(r.ok).toBe(false);
          return;
        }
        if (!r.ok) throw new Error(`refused ${JSON.stringify(path)}: ${r.reason}`);
        expect(r.tree.get(path)?.content).toBe("x\n");
        expect(new TextEncoder().encode(fileKey(appId, 1, path)).byteLength).toBeLessThanOrEqual(1024);
        expect(prepareFiles(r.tree).skippedPaths).toEqual([]);
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it("arbitrary text as a diff never throws: it applies or is refused with a reason", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 300 }),
          fc
            .array(
              fc.constantFrom(
                "diff --git a/x b/x\n",
                "--- a/x\n",
                "+++ b/x\n",
                "@@ -1 +1 @@\n",
                "-a\n",
                "+b\n",
                " c\n",
                "\\ No newline at end of file\n",
                "rename from x\n",
                "rename to y\n",
                "new file mode 100644\n",
                "Binary files a/x and b/x differ\n",
              ),
              { maxLength: 20 },
            )
            .map((l) => l.join("")),
        ),
        (text) => {
          const r = applyUnifiedDiff(base(), text);
          if (!r.ok) expect(["patch_failed", "unsafe_path", "agent_error"]).toContain(r.code);
        },
      ),
      { numRuns: 3000, seed: SEED },
    );
  });
});
