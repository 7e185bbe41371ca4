// Builds the console (console/) into console/dist/console/, which the Worker serves as static
// assets at /console: one ES module bundle (the typed client included), its page and its styles.
// Nothing is loaded from anywhere else. Run by `npm run build`, `npm run dev` (before wrangler
// starts), the benchmark's stack and the test run (vitest.config.ts).
import fs from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/**
 * Writes `bytes` to `file` unless it holds them already. wrangler dev watches the assets folder
 * and restarts its runtime on any write there, which ends every run in flight: a second stack
 * started on the same tree (a test run or the bench while `npm run dev` serves, the bench's
 * side-by-side Worker) must not touch files it would write unchanged.
 */
export function writeIfChanged(file, bytes) {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(bytes)) return;
  fs.writeFileSync(file, bytes);
}

/** Builds the console of the tree at `root` (this file's tree by default); answers the output folder. */
export function buildConsole(root = here) {
  const src = path.join(root, "console");
  const out = path.join(src, "dist", "console");
  // Written over in place (no removal first): a running `npm run dev` keeps serving meanwhile.
  fs.mkdirSync(out, { recursive: true });
  const built = buildSync({
    entryPoints: [path.join(src, "src", "main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    outfile: path.join(out, "console.js"),
    logLevel: "error",
    write: false,
  });
  for (const f of built.outputFiles) writeIfChanged(f.path, f.contents);
  for (const name of ["index.html", "console.css"]) {
    writeIfChanged(path.join(out, name), fs.readFileSync(path.join(src, name)));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) buildConsole();
