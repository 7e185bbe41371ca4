// `npm run dev`: a real local Postgres (data kept in .data/), the local Neon proxy, a stand-in for
// every service whose URL is not configured, then `wrangler dev` offline on port 4444 (PORT).
// Prints the URL and ready-to-paste curl commands with dev tokens; Ctrl-C stops everything.
import fs from "node:fs";
import path from "node:path";
import { ConfigError, readLocalConfig, resolvePorts, root, SERVICES } from "./local-config.mjs";
import { postgresDataDir } from "./postgres.mjs";
import { assertPortsFree, onShutdownSignal, startServices, startWrangler } from "./stack.mjs";

const DATA = path.join(root, ".data");
const TOKEN_TTL_S = 24 * 3600;

let services;
let wrangler;
let stopping = false;

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--reset-db");
  if (unknown.length) throw new ConfigError(`unknown option ${unknown.join(" ")} (known: --reset-db)`);
  const { configured, source } = readLocalConfig();
  const ports = resolvePorts(configured, source);
  await assertPortsFree(ports, ["worker"]);
  if (args.includes("--reset-db")) {
    const dir = postgresDataDir(path.join(DATA, "postgres"));
    console.log(
      `Deleting the local database (${path.relative(root, dir).startsWith("..") ? dir : path.relative(root, dir)})…`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(DATA, { recursive: true });
  const pgLog = fs.createWriteStream(path.join(DATA, "postgres.log"), { flags: "a" });
  services = await startServices({
    configured,
    source,
    ports,
    dataDir: path.join(DATA, "postgres"),
    keyDir: path.join(DATA, "github-app"),
    persistent: true,
    log: (line) => pgLog.write(`${line}\n`),
    progress: (m) => console.log(m),
  });
  for (const w of services.warnings) console.warn(`warning: ${w}`);
  if (stopping) return;

  console.log("Starting wrangler dev…");
  wrangler = startWrangler({
    port: ports.worker,
    vars: services.vars,
    quiet: true,
    onLine: (l) => console.log(l),
  });
  await wrangler.ready;
  wrangler.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`wrangler dev stopped on its own (code ${code}, signal ${signal}); stopping the rest`);
    shutdown(1);
  });
  console.log(await banner(ports));
}

async function banner(ports) {
  const base = `http://localhost:${ports.worker}`;
  const { vars, databaseDriver, standIns, standInHandles, timings, ownDatabase, postgresDir } = services;
  const where =
    postgresDir &&
    (path.relative(root, postgresDir).startsWith("..") ? postgresDir : path.relative(root, postgresDir));
  const lines = ["", `Ready on ${base}`, ""];
  lines.push(
    `  Postgres    ${vars.DATABASE_URL}${ownDatabase ? ` (embedded, data in ${where})` : ""}, DATABASE_DRIVER=${databaseDriver}`,
    `  stand-ins   ${standIns.map((n) => `${n} :${standInHandles[n]?.port ?? ports[n]}`).join("  ") || "none"}`,
  );
  const real = Object.entries(SERVICES).filter(([n]) => !standIns.includes(n));
  if (real.length) lines.push(`  configured  ${real.map(([, v]) => `${v}=${vars[v]}`).join("  ")}`);
  lines.push(
    `  started in  ${Object.entries(timings)
      .map(([k, ms]) => `${k} ${ms} ms`)
      .join(", ")}`,
    "",
  );

  const stack = standInHandles.stack;
  if (!stack) {
    lines.push("Stack Auth is the real one: use an access token from your front end.", "");
    lines.push(`  curl -s ${base}/health`);
  } else {
    const employee = await stack.mint({ userId: "dev-employee", expiresIn: TOKEN_TTL_S });
    const user = await stack.mint({ userId: "dev-user", expiresIn: TOKEN_TTL_S });
    lines.push(
      `Dev tokens (24 h) for dev-user (user@example.com) and dev-employee (employee@neon.tech):`,
      `  export DEV_USER_TOKEN='${user}'`,
      `  export DEV_EMPLOYEE_TOKEN='${employee}'`,
      "",
      `Console: ${base}/console/ (pick dev-user in its token list)`,
      "",
      "Then:",
      `  curl -s ${base}/health`,
      `  curl -s ${base}/me -H "Authorization: Bearer $DEV_USER_TOKEN"`,
      `  curl -s ${base}/apps -H "Authorization: Bearer $DEV_USER_TOKEN"`,
      `  curl -s ${base}/auth/is-neon-employee -H "Authorization: Bearer $DEV_EMPLOYEE_TOKEN"`,
      `  curl -N ${base}/message -H "Authorization: Bearer $DEV_USER_TOKEN" -H 'content-type: application/json' -d '{"message":"Build a todo app"}'`,
      "",
      "A fresh token for any user:",
      `  curl -s ${stack.url}/__dev/token -H 'content-type: application/json' -d '{"userId":"dev-user"}'`,
    );
  }
  lines.push("", `API reference: ${base}/docs   Ctrl-C stops everything.`, "");
  return lines.join("\n");
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  if (services || wrangler) console.log("\nStopping wrangler, the stand-ins, the proxy and Postgres…");
  await wrangler?.stop();
  await running.catch(() => {});
  await wrangler?.stop();
  if (services) {
    await services.close();
    console.log("Stopped.");
  }
  process.exit(code);
}

// Last resort if the process ends another way: never leave wrangler and workerd behind.
process.on("exit", () => {
  if (wrangler?.isRunning()) {
    try {
      process.kill(-wrangler.pid, "SIGKILL");
    } catch {}
  }
});
onShutdownSignal(() => shutdown(0));

const running = main();
running.catch(async (err) => {
  if (stopping) return;
  if (err instanceof ConfigError) console.error(`npm run dev: ${err.message}`);
  else console.error(`npm run dev failed: ${process.env.DEBUG ? err?.stack : (err?.message ?? err)}`);
  await shutdown(1);
});
