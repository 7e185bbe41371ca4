// The `bulk` scenario: a large generated app, for publishing benchmarks. A new session gets a full
// build diff of `files=` files totalling about `bytes=` bytes (a deployable app: Dockerfile,
// package.json, start script, then generated sources); a continuing session gets an edit that
// changes `changed=` of those files (default 3). Options: files= (default 500), bytes= (default
// 5 MiB), changed=.
import { createHash } from "node:crypto";
import { treeDiff } from "./agent-git.mjs";

const file = (content, mode = "100644") => ({ content, mode });

const DOCKERFILE =
  "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nENV SERVER_PORT=80\nEXPOSE 80\n" +
  'CMD ["sh", "scripts/start.sh"]\n';

/** Source-like text of about `bytes` bytes: deterministic for a path, different per file. */
function sourceText(path, bytes) {
  const seed = createHash("sha256").update(path).digest("hex");
  const lines = [`// ${path}: generated module\n`];
  let size = lines[0].length;
  for (let i = 0; size < bytes; i++) {
    const line = `export const item${i} = { id: ${i}, key: "${seed.slice(i % 32, (i % 32) + 24)}", label: "Item ${i}" };\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("").slice(0, Math.max(0, bytes - 1)) + "\n";
}

/** The built tree: 3 fixed files, then generated modules sharing what is left of `bytes`. */
export function bulkTree(appName, files, bytes) {
  const tree = new Map([
    ["Dockerfile", file(DOCKERFILE)],
    [
      "package.json",
      file(
        `{\n  "name": ${JSON.stringify(appName)},\n  "private": true,\n  "type": "module",\n` +
          `  "scripts": {\n    "build": "tsc",\n    "start": "node dist/index.js"\n  }\n}\n`,
      ),
    ],
    ["scripts/start.sh", file("#!/bin/sh\nset -e\nnpm run build\nexec node dist/index.js\n", "100755")],
  ]);
  const fixed = [...tree.values()].reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  const count = Math.max(0, files - tree.size);
  const each = Math.max(64, Math.floor((bytes - fixed) / Math.max(1, count)));
  for (let i = 0; i < count; i++) {
    const dir = `src/modules/m${String(Math.floor(i / 50)).padStart(2, "0")}`;
    const path = `${dir}/module-${String(i).padStart(4, "0")}.ts`;
    tree.set(path, file(sourceText(path, each)));
  }
  return tree;
}

/** The edit: `changed` generated modules, spread over the tree, each get one line more. */
function bulkEdit(base, turn, changed) {
  const after = new Map(base);
  const modules = [...base.keys()].filter((p) => p.startsWith("src/modules/")).sort();
  const step = Math.max(1, Math.floor(modules.length / Math.max(1, changed)));
  for (let i = 0; i < changed && i * step < modules.length; i++) {
    const path = modules[i * step];
    const old = base.get(path);
    after.set(path, file(`${old.content}export const changedInTurn${turn} = true;\n`, old.mode));
  }
  return after;
}

export async function bulk(ctx) {
  const files = Number(ctx.options.files ?? 500);
  const bytes = Number(ctx.options.bytes ?? 5 * 1024 * 1024);
  const changed = Number(ctx.options.changed ?? 3);
  await ctx.wip(ctx.continuing ? "Applying changes..." : "Generating the application...");
  await ctx.step();
  const after = ctx.continuing ? bulkEdit(ctx.base, ctx.turn, changed) : bulkTree(ctx.appName, files, bytes);
  const commit = `feat: ${ctx.prompt.slice(0, 60).replace(/\s+/g, " ").toLowerCase()}`;
  return ctx.idle("ReviewResult", [`Changes generated: \n${commit}`], {
    agentState: ctx.state({ files: after.size }),
    unifiedDiff: treeDiff(ctx.base, after),
    appName: ctx.appName,
    commitMessage: commit,
  });
}
