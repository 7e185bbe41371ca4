import type { FlatTree } from "./publish";

// What the agent stand-in's scenarios produce, written out independently of the stand-in, so a
// test compares the published repository with the files the agent meant (path → "<mode> <content>").

const DOCKERFILE =
  "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nENV SERVER_PORT=80\nEXPOSE 80\n" +
  'CMD ["sh", "scripts/start.sh"]\n';

/** The `build` scenario's final tree for `appName` and the prompt (its text without the marker). */
export function builtFiles(appName: string, prompt: string): FlatTree {
  return {
    ".gitignore": "100644 node_modules/\ndist/\n.env\n",
    Dockerfile: `100644 ${DOCKERFILE}`,
    "README.md": `100644 # ${appName}\n\n${prompt}\n\nBuilt with care. Café ☕\n`,
    "client/src/App.tsx": `100644 export function App() {\n  return <h1>${appName}</h1>;\n}\n`,
    "package.json":
      `100644 {\n  "name": ${JSON.stringify(appName)},\n  "private": true,\n  "type": "module",\n` +
      `  "scripts": {\n    "build": "tsc",\n    "start": "node dist/index.js"\n  }\n}\n`,
    // No final newline, and an empty file: both must survive as they are.
    "public/media/.gitkeep": "100644 ",
    "public/media/x.txt": "100644 x marks the spot",
    "scripts/start.sh": "100755 #!/bin/sh\nset -e\nnpm run build\nexec node dist/index.js\n",
    "src/index.ts":
      '100644 import { createServer } from "node:http";\nimport { counter } from "./old-helper";\n\n' +
      "createServer((_req, res) => {\n  res.end(String(counter()));\n}).listen(3000);\n",
    "src/old-helper.ts": "100644 let n = 0;\nexport const counter = () => ++n;\n",
  };
}

/** The default `edit` of turn `turn`: README.md appended to, src/old-helper.ts deleted, a file added. */
export function editedFiles(base: FlatTree, turn: number, prompt: string): FlatTree {
  const out: FlatTree = { ...base };
  out["README.md"] = `${base["README.md"]}\n## Change ${turn}\n\n${prompt}\n`;
  delete out["src/old-helper.ts"];
  out[`src/change-${turn}.ts`] = `100644 export const change${turn} = ${JSON.stringify(prompt)};\n`;
  return out;
}
