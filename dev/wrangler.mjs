// `wrangler dev` for the local stack: node_modules/.bin/wrangler (not npx) in its own process
// group, offline, with the Worker's variables (and nothing else) in a file only we can read.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildConsole } from "./console-build.mjs";
import { root } from "./local-config.mjs";

const ANSI = /\x1b\[[0-9;]*m/g;

// What wrangler itself needs from the environment (none of it reaches the Worker).
const TOOL_ENV =
  /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LC_ALL|TERM|CI|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|XDG_.*|WRANGLER_.*|CLOUDFLARE_.*)$/;
const toolEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => TOOL_ENV.test(k) && k !== "CLOUDFLARE_INCLUDE_PROCESS_ENV"),
  );

/**
 * The Worker's variables as a dotenv file that wrangler reads back exactly: each value quoted
 * with a quote it does not contain (only "…" turns \n into a newline) and every "$" escaped
 * (wrangler expands $NAME in these files).
 */
export function toEnvFile(vars) {
  const lines = Object.entries(vars).map(([name, value]) => {
    const text = String(value).replace(/\$/g, "\\$");
    const quote = ["'", "`", '"'].find((q) => !text.includes(q) && (q !== '"' || !/\\[nr]/.test(text)));
    if (!quote) throw new Error(`${name} contains ', \` and " at once: wrangler dev cannot be given it`);
    return `${name}=${quote}${text}${quote}`;
  });
  return `${lines.join("\n")}\n`;
}

// wrangler's chatter before it is ready that asks nothing of anyone: the binding table (every
// variable is ours), where the variables came from, and the reminder that a cron does not fire by
// itself locally (GET /cdn-cgi/handler/scheduled runs it). Errors and other warnings pass.
const NOISE = [
  /^Using (secrets|vars) defined in /,
  /^Your Worker has access to the following bindings:/,
  /^Binding\s+Resource\s+Mode/,
  /^env\.\S+ .*\s(local|remote)$/,
  /^⎔ Starting local server/,
  /^▲ \[WARNING\] Scheduled Workers are not automatically triggered/,
  /^\s+To manually trigger a scheduled event, run:/,
  /^\s+curl "http\S*\/cdn-cgi\/handler\/scheduled"/,
  /^\s+For more details, see https:\/\/developers\.cloudflare\.com\/workers\/configuration\/cron-triggers/,
];

/** Whether a line of wrangler's start-up output is noise (see NOISE). */
export const isStartupNoise = (line) => NOISE.some((re) => re.test(line));

/**
 * Runs node_modules/.bin/wrangler dev offline (no login, telemetry, update check or Request.cf
 * download) in its own process group, so stop() can end wrangler and both workerd processes.
 * Resolves once wrangler says "Ready on …". `onLine` gets each output line (ANSI stripped;
 * with `quiet`, without wrangler's start-up noise).
 */
export function startWrangler({
  port,
  vars,
  ip,
  inspectorPort,
  persistTo,
  logLevel,
  onLine = () => {},
  quiet = false,
  readyTimeoutMs = 0,
}) {
  // The console's files are the Worker's static assets: built first (wrangler.toml [assets]).
  buildConsole(root);
  const args = ["dev", "--port", String(port), "--show-interactive-dev-session=false"];
  if (ip) args.push("--ip", ip);
  if (inspectorPort) args.push("--inspector-port", String(inspectorPort));
  if (persistTo) args.push("--persist-to", persistTo);
  if (logLevel) args.push("--log-level", logLevel);
  // The Worker's variables travel in a file only we can read: not on the command line, where any
  // local user could read the secrets (`ps`), nor in wrangler's environment, all of which would
  // become Worker variables. It replaces .dev.vars (the launcher has merged it already) and wins
  // over wrangler.toml [vars].
  const varsFile = path.join(root, ".wrangler", `dev-vars-${process.pid}-${port}.env`);
  fs.mkdirSync(path.dirname(varsFile), { recursive: true });
  fs.rmSync(varsFile, { force: true });
  fs.writeFileSync(varsFile, toEnvFile(vars), { mode: 0o600 });
  const removeVarsFile = () => fs.rmSync(varsFile, { force: true });
  process.on("exit", removeVarsFile);
  args.push("--env-file", varsFile);
  const child = spawn(path.join(root, "node_modules/.bin/wrangler"), args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...toolEnv(),
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
      removeVarsFile();
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
        const m = /Ready on (https?:\/\/\S+)/.exec(line);
        const first = m && !url; // the launcher says "Ready" itself, with more
        if (!(quiet && (first || (!url && isStartupNoise(line))))) onLine(line);
        if (first) {
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
