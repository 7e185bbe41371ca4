// The console build leaves unchanged files untouched: wrangler dev restarts its runtime on any
// write in its assets folder, so a second stack started on the same tree (a test run or the
// bench beside `npm run dev`) would otherwise end every run the first one has in flight.
import { type FSWatcher, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the dev tooling, without types
import { buildConsole, writeIfChanged } from "../dev/console-build.mjs";

const watchers: FSWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
});

/** The file-system events in `dir` while `fn` runs, and a moment after. */
async function eventsDuring(dir: string, fn: () => void): Promise<string[]> {
  const seen: string[] = [];
  watchers.push(watch(dir, (type, name) => seen.push(`${type} ${name}`)));
  fn();
  await new Promise((r) => setTimeout(r, 300));
  return seen;
}

describe("console build", () => {
  it("a second build of an unchanged tree writes nothing in the assets folder", async () => {
    const out: string = buildConsole();
    const before = readFileSync(join(out, "console.js"));
    expect(await eventsDuring(out, () => buildConsole())).toEqual([]);
    expect(readFileSync(join(out, "console.js"))).toEqual(before);
  });

  it("writeIfChanged writes new or different bytes and leaves the same bytes alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-build-"));
    try {
      const file = join(dir, "a.txt");
      writeIfChanged(file, Buffer.from("one"));
      expect(readFileSync(file, "utf8")).toBe("one");
      expect(await eventsDuring(dir, () => writeIfChanged(file, Buffer.from("one")))).toEqual([]);
      const changed = await eventsDuring(dir, () => writeIfChanged(file, new TextEncoder().encode("two")));
      expect(changed.length).toBeGreaterThan(0);
      expect(readFileSync(file, "utf8")).toBe("two");
      writeFileSync(file, "tw"); // shorter: a prefix is not the same bytes
      writeIfChanged(file, Buffer.from("two"));
      expect(readFileSync(file, "utf8")).toBe("two");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
