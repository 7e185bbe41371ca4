// Builds the console (console/) into console/dist/console/, which the Worker serves as static
// assets at /console: one ES module bundle (the typed client included), its page and its styles.
// Nothing is loaded from anywhere else. Run by `npm run build`, `npm run dev` (before wrangler
// starts), the benchmark's stack and the test run (vitest.config.ts).
import fs from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/** Builds the console of the tree at `root` (this file's tree by default); answers the output folder. */
export function buildConsole(root = here) {
  const src = path.join(root, "console");
  const out = path.join(src, "dist", "console");
  // Written over in place (no removal first): a running `npm run dev` keeps serving meanwhile.
  fs.mkdirSync(out, { recursive: true });
  buildSync({
    entryPoints: [path.join(src, "src", "main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    outfile: path.join(out, "console.js"),
    logLevel: "error",
  });
  fs.copyFileSync(path.join(src, "index.html"), path.join(out, "index.html"));
  fs.copyFileSync(path.join(src, "console.css"), path.join(out, "console.css"));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) buildConsole();
