#!/usr/bin/env node
// npm run smoke: one complete journey against the real services configured in .dev.vars (see
// scripts/smoke/journey.mjs). Without the credentials it says which are missing and exits 0
// without calling anything. The Worker is SMOKE_API_URL when set, else `npm run dev` started here
// with the same .dev.vars. Every step prints its time and the ids it made; the app (and so every
// resource it made) is deleted at the end even when a step failed.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { freePort } from "../dev/stack.mjs";
import { checkConfig, productionVars } from "./check-config.mjs";
import { missingCredentials } from "./smoke/credentials.mjs";
import { runJourney } from "./smoke/journey.mjs";
import { createProbes, installationToken } from "./smoke/probes.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const started = Date.now();
const stamp = () =>
  `${new Date().toISOString().slice(11, 19)} +${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line) => console.log(`[${stamp()}] ${line}`);

const vars = productionVars();
vars.SMOKE_USER_TOKEN = process.env.SMOKE_USER_TOKEN ?? vars.SMOKE_USER_TOKEN;
const missing = missingCredentials(vars);
if (missing.length) {
  console.log("npm run smoke runs one real journey (agent → GitHub → CodeBuild/ECR → Koyeb → delete) and");
  console.log("needs real credentials in .dev.vars (or the environment). Missing or local-only:");
  for (const m of missing) console.log(`  ${m.name.padEnd(24)} ${m.what}`);
  console.log("Nothing was called.");
  process.exit(0);
}

// The journey needs a complete production configuration (checked offline, like check:config).
const problems = (await checkConfig()).filter((p) => !p.startsWith("ENVIRONMENT:"));
if (problems.length) {
  console.error("The configuration is not ready for a real journey:");
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}

/** An App JWT signed with node:crypto (which reads GitHub's PKCS#1 key as issued). */
function appJwt() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const data = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat: now - 60, exp: now + 540, iss: vars.GITHUB_APP_ID })}`;
  const key = crypto.createPrivateKey(vars.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, "\n"));
  return `${data}.${crypto.sign("sha256", Buffer.from(data), key).toString("base64url")}`;
}

/** `npm run dev` on a free port, resolved with its URL once it prints "Ready on". */
async function startWorker() {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, "dev/start.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("npm run dev was not ready within 180 s")), 180_000);
    let out = "";
    const onData = (chunk) => {
      out += chunk;
      if (/Ready on http/.test(out)) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${out.slice(-2000)}`)));
  });
  return { url, stop: () => child.kill("SIGINT") };
}

const worker = process.env.SMOKE_API_URL
  ? { url: process.env.SMOKE_API_URL, stop: () => {} }
  : await startWorker();
say(`Worker: ${worker.url}`);
let token;
const probes = createProbes(vars, {
  githubToken: async () => {
    token ??= await installationToken({ apiUrl: vars.GITHUB_API_URL, org: vars.GITHUB_ORG, jwt: appJwt() });
    return token;
  },
});
const api = (method, p, body) =>
  fetch(`${worker.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${vars.SMOKE_USER_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(p === "/message" ? 900_000 : 30_000),
  });

let result;
try {
  result = await runJourney({
    api,
    probes,
    fetchDeployed: (url) => fetch(url, { signal: AbortSignal.timeout(30_000) }),
    report: (s) =>
      say(
        `${s.ok ? "ok  " : "FAIL"} ${s.step} (${(s.ms / 1000).toFixed(1)} s)` +
          (s.ids ? ` ${JSON.stringify(s.ids)}` : "") +
          (s.detail ? `: ${s.detail}` : ""),
      ),
  });
} finally {
  worker.stop();
}
say(result.ok ? "smoke run passed" : "smoke run FAILED");
process.exit(result.ok ? 0 : 1);
