#!/usr/bin/env node
// npm run check:config [-- --env-file <file>]: checks a production configuration without calling
// anything. The values are wrangler.toml's [vars], then the file (default .dev.vars), then the
// environment; the rules are the Worker's own schema plus src/config-production.ts.
import fs from "node:fs";
import path from "node:path";
import { importWorkerModule, readLocalConfig, root } from "../dev/local-config.mjs";

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

/**
 * The configuration to check: wrangler.toml [vars], then what `npm run dev` would read (the env
 * file, then the known names from `env`).
 */
export function productionVars({ envFile = path.join(root, ".dev.vars"), env = process.env } = {}) {
  return { ...wranglerVars(), ...readLocalConfig({ env, devVarsFile: envFile }).configured };
}

/** The rules of src/config-production.ts, bundled on the fly so the check cannot drift from the Worker. */
export function loadRules() {
  return importWorkerModule("src/config-production.ts");
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
