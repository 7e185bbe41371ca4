// What the stand-in agent "builds": a small template, the finished app, the edits, and the agent
// state (hand-written JSON so it can hold a number beyond 2^53).

/** A literal beyond 2^53 in every agent state: a double round-trip turns it into …7000. */
export const BIG = "12345678901234567890";
export const BIG_INTACT = new RegExp(`"big"\\s*:\\s*${BIG}(?![\\d.eE])`);

const file = (content, mode = "100644") => ({ content, mode });

export function appNameFrom(prompt) {
  const words = prompt.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const name = words.slice(0, 4).join("-").slice(0, 40).replace(/-+$/, "");
  return name || "app";
}

/** The template the first "Initial commit" diff creates. */
export function templateTree(appName) {
  return new Map([
    [".gitignore", file("node_modules/\n")],
    ["README.md", file("# Template\n\nA tRPC + React starter.\n")],
    ["package.json", file(`{\n  "name": "template",\n  "private": true\n}\n`)],
    ["src/index.ts", file("export {};\n")],
    ["src/app-name.ts", file(`export const appName = ${JSON.stringify(appName)};\n`)],
  ]);
}

const DOCKERFILE =
  "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nENV SERVER_PORT=80\nEXPOSE 80\n" +
  'CMD ["sh", "scripts/start.sh"]\n';

/**
 * The finished first build: 10 files (a Dockerfile among them, so it can be deployed), one
 * executable, one without a final newline, one empty. Options: `docker=0` leaves the Dockerfile
 * out (its image build fails); `marker=fail-build|koyeb-error|koyeb-hang` adds the file that makes the
 * CodeBuild or Koyeb stand-in fail.
 */
export function builtTree(appName, prompt, options = {}) {
  const tree = new Map([
    ["Dockerfile", file(DOCKERFILE)],
    [".gitignore", file("node_modules/\ndist/\n.env\n")],
    ["README.md", file(`# ${appName}\n\n${prompt}\n\nBuilt with care. Café ☕\n`)],
    [
      "package.json",
      file(
        `{\n  "name": ${JSON.stringify(appName)},\n  "private": true,\n  "type": "module",\n` +
          `  "scripts": {\n    "build": "tsc",\n    "start": "node dist/index.js"\n  }\n}\n`,
      ),
    ],
    ["scripts/start.sh", file("#!/bin/sh\nset -e\nnpm run build\nexec node dist/index.js\n", "100755")],
    [
      "src/index.ts",
      file(
        'import { createServer } from "node:http";\nimport { counter } from "./old-helper";\n\n' +
          "createServer((_req, res) => {\n  res.end(String(counter()));\n}).listen(3000);\n",
      ),
    ],
    ["src/old-helper.ts", file("let n = 0;\nexport const counter = () => ++n;\n")],
    ["client/src/App.tsx", file(`export function App() {\n  return <h1>${appName}</h1>;\n}\n`)],
    ["public/media/x.txt", file("x marks the spot")],
    ["public/media/.gitkeep", file("")],
  ]);
  if (Number(options.docker ?? 1) === 0) tree.delete("Dockerfile");
  if (options.marker === "fail-build") tree.set(".fail-build", file("fail this build\n"));
  if (options.marker === "koyeb-error")
    tree.set(".koyeb-error", file("the app crashed on start: port 80 not bound\n"));
  if (options.marker === "koyeb-hang") tree.set(".koyeb-hang", file("never becomes healthy\n"));
  return tree;
}

const executableHint = (content) => (content.startsWith("#!") ? "100755" : "100644");

/** The request's allFiles as a tree; modes are not on the wire, so a shebang means 100755. */
export function treeFromAllFiles(allFiles) {
  const tree = new Map();
  for (const f of allFiles ?? []) tree.set(f.path, file(f.content, executableHint(f.content)));
  return tree;
}

/**
 * The edit: modify one file (README.md if present), delete one (src/old-helper.ts if present,
 * else the last other path), add `src/change-<turn>.ts`. Options modify=, delete=, add= override.
 */
export function editedTree(base, { turn, prompt, options }) {
  const paths = [...base.keys()].sort();
  const after = new Map(base);
  const modify = options.modify ?? (base.has("README.md") ? "README.md" : paths[0]);
  if (modify !== undefined) {
    const old = base.get(modify) ?? file("");
    const sep = old.content === "" || old.content.endsWith("\n") ? "" : "\n";
    after.set(modify, file(`${old.content}${sep}\n## Change ${turn}\n\n${prompt}\n`, old.mode));
  }
  const others = paths.filter((p) => p !== modify);
  const del = options.delete ?? (base.has("src/old-helper.ts") ? "src/old-helper.ts" : others.at(-1));
  if (del !== undefined && del !== modify) after.delete(String(del));
  const add = String(options.add ?? `src/change-${turn}.ts`);
  after.set(add, file(`export const change${turn} = ${JSON.stringify(prompt)};\n`));
  return { after, modified: modify, deleted: del !== modify ? del : undefined, added: add };
}

/**
 * The agent state: a function of the conversation (turn = user messages seen) so tests can tell
 * which run produced it. `fsm: false` gives the refinement state (fsm_state null).
 */
export function stateText(
  { turn, prompt, appName, userMessages },
  { fsm = true, files = 0, padBytes = 0 } = {},
) {
  const fsmState = fsm
    ? JSON.stringify({ current_state: "complete", turn, last_prompt: prompt, files })
    : "null";
  const messages = JSON.stringify(userMessages.map((content) => ({ role: "user", content })));
  const meta = `{"app_name":${JSON.stringify(fsm ? appName : null)},"template_diff_sent":${fsm}}`;
  return (
    `{"fsm_state":${fsmState},"fsm_messages":${messages},"metadata":${meta},"turn":${turn},` +
    `"big":${BIG},"neg":-${BIG}${padBytes > 0 ? `,"blob":${blob(padBytes)}` : ""}}`
  );
}

/** A JSON array of about `bytes` bytes of varied strings (escapes, non-ASCII) for huge states. */
function blob(bytes) {
  const parts = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const s = JSON.stringify(`line ${i}: "quoted" \\ tab\t é ☕ 😀 ${"lorem ipsum ".repeat(80)}`);
    parts.push(s);
    size += Buffer.byteLength(s) + 1;
  }
  return `[${parts.join(",")}]`;
}
