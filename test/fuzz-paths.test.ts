// Fuzzing diff text: whatever a diff holds, the gate applies it or refuses it with a reason; it
// never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tree } from "../src/lib/tree";
import { applyUnifiedDiff } from "../src/session/diff";

const base = (): Tree =>
  new Map([
    ["README.md", { content: "# App\n", mode: "100644" }],
    ["src/a.ts", { content: "a\n", mode: "100644" }],
  ]);

describe("diff paths under fuzzing", () => {
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
      { numRuns: 3000 },
    );
  });
});
