// `wrangler dev` for the local stack: node_modules/.bin/wrangler (not npx) in its own process
// group, offline, with the Worker's variables passed in its environment.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { root } from "./local-config.mjs";

const ANSI = /\x1b\[[0-9;]*m/g;

// What wrangler itself needs from the environment. Everything in its environment also becomes a
// Worker variable, so nothing else of the caller's environment is passed on.
const TOOL_ENV =
  /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LC_ALL|TERM|CI|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|XDG_.*|WRANGLER_.*|CLOUDFLARE_.*)$/;
const toolEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => TOOL_ENV.test(k)));

/**
 * Runs node_modules/.bin/wrangler dev offline (no login, telemetry, update check or Request.cf
 * download) in its own process group, so stop() can end wrangler and both workerd processes.
 * Resolves once wrangler says "Ready on …". `onLine` gets each output line (ANSI stripped).
 */
export function startWrangler({
  port,
  vars,
  ip,
  inspectorPort,
  persistTo,
  logLevel,
  onLine = () => {},
  readyTimeoutMs = 0,
}) {
  const args = ["dev", "--port", String(port), "--show-interactive-dev-session=false"];
  if (ip) args.push("--ip", ip);
  if (inspectorPort) args.push("--inspector-port", String(inspectorPort));
  if (persistTo) args.push("--persist-to", persistTo);
  if (logLevel) args.push("--log-level", logLevel);
  // The Worker's variables travel in wrangler's environment, not on its command line, where any
  // local user could read the secrets (`ps`). An empty --env-file makes wrangler skip .dev.vars
  // (the launcher has merged it already) and, with CLOUDFLARE_INCLUDE_PROCESS_ENV, take its
  // environment as the Worker's variables, exactly (no dotenv expansion: "$" survives). They win
  // over wrangler.toml [vars].
  const emptyEnvFile = path.join(root, ".wrangler", "no-dev-vars.env");
  fs.mkdirSync(path.dirname(emptyEnvFile), { recursive: true });
  fs.writeFileSync(emptyEnvFile, "");
  args.push("--env-file", emptyEnvFile);
  const child = spawn(path.join(root, "node_modules/.bin/wrangler"), args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...toolEnv(),
      ...vars,
      CLOUDFLARE_INCLUDE_PROCESS_ENV: "true",
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_LOG_PATH: path.join(root, ".wrangler/logs"),
    },
  });
  let exited = false;
  const exitedPromise = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const stop = async () => {
    if (exited) return;
    const group = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {}
    };
    group("SIGTERM");
    const timer = setTimeout(() => group("SIGKILL"), 5_000);
    await exitedPromise;
    clearTimeout(timer);
    group("SIGKILL"); // anything of the group still alive (workerd)
  };
  const ready = new Promise((resolve, reject) => {
    // 0 = wait as long as it takes: in `npm run dev` a build error is fixed in the editor and
    // wrangler rebuilds on its own.
    const timer =
      readyTimeoutMs > 0 &&
      setTimeout(() => {
        stop();
        reject(new Error(`wrangler dev was not ready after ${readyTimeoutMs / 1000} s`));
      }, readyTimeoutMs);
    let url;
    const onData = (buf) => {
      for (const raw of buf.toString("utf8").split(/\r?\n/)) {
        const line = raw.replace(ANSI, "");
        if (!line.trim()) continue;
        onLine(line);
        const m = /Ready on (https?:\/\/\S+)/.exec(line);
        if (m && !url) {
          url = m[1];
          clearTimeout(timer);
          resolve(url);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exitedPromise.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!url) reject(new Error(`wrangler dev exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
  return { pid: child.pid, ready, exited: exitedPromise, stop, isRunning: () => !exited };
}
