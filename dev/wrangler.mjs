// `wrangler dev` for the local stack: node_modules/.bin/wrangler (not npx) in its own process
// group, offline, with the Worker's variables passed as --var.
import { spawn } from "node:child_process";
import path from "node:path";
import { root } from "./local-config.mjs";

const ANSI = /\x1b\[[0-9;]*m/g;

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
  // --var wins over wrangler.toml [vars] and .dev.vars; values are passed exactly (no dotenv
  // expansion, so secrets containing "$" survive) and shown as "(hidden)" in wrangler's table.
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(path.join(root, "node_modules/.bin/wrangler"), args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
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
