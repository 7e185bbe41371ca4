#!/usr/bin/env node
// npm run check:config [-- --env-file <file>]: checks a production configuration without calling
// anything. The values are wrangler.toml's [vars], then the file (default .dev.vars), then the
// environment; the rules are the Worker's own schema plus src/config-production.ts.
import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/** `[vars]` of wrangler.toml: `KEY = "value"` lines up to the next table. */
export function wranglerVars(file = path.join(root, "wrangler.toml")) {
  const vars = {};
  let inVars = false;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const t = line.trim();
    if (t.startsWith("[")) inVars = t === "[vars]";
    else if (inVars) {
      const m = /^([A-Z][A-Z0-9_]*)\s*=\s*"([^"]*)"/.exec(t);
      if (m) vars[m[1]] = m[2];
    }
  }
  return vars;
}

/** The configuration to check: wrangler.toml [vars], the env file, then known names from `env`. */
export function productionVars({ envFile = path.join(root, ".dev.vars"), env = process.env } = {}) {
  const vars = wranglerVars();
  if (envFile && fs.existsSync(envFile)) {
    for (const [k, v] of Object.entries(parseEnv(fs.readFileSync(envFile, "utf8"))))
      if (v !== "") vars[k] = v;
  }
  const names = new Set(
    [
      ...fs.readFileSync(path.join(root, ".dev.vars.example"), "utf8").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm),
    ].map((m) => m[1]),
  );
  for (const k of names) if (env[k] !== undefined && env[k] !== "") vars[k] = env[k];
  return vars;
}

/** The rules of src/config-production.ts, bundled on the fly so the check cannot drift from the Worker. */
export async function loadRules() {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [path.join(root, "src/config-production.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

/** Problems of the configuration (empty when it is fine). */
export async function checkConfig(opts = {}) {
  const { productionProblems } = await loadRules();
  return productionProblems(productionVars(opts));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--env-file");
  const envFile = i > 0 ? path.resolve(process.argv[i + 1] ?? "") : path.join(root, ".dev.vars");
  const problems = await checkConfig({ envFile });
  if (problems.length) {
    console.error(`The production configuration has ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log("The production configuration is complete and well-formed (nothing was called).");
}
