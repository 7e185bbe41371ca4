import { generateKeyPairSync } from "node:crypto";
import net from "node:net";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { buildConsole } from "./dev/console-build.mjs";

/**
 * A free loopback port, held open until global setup starts what listens there
 * (test/global-setup.ts releases each hold just before): a port picked and closed at once can be
 * taken meanwhile by anything else that binds, an outgoing connection's local port included, and
 * the run then fails with EADDRINUSE.
 */
function holdFreePort(): Promise<{ port: number; hold: net.Server }> {
  return new Promise((resolve, reject) => {
    const hold = net.createServer();
    hold.once("error", reject);
    hold.listen(0, "127.0.0.1", () => {
      hold.unref();
      resolve({ port: (hold.address() as net.AddressInfo).port, hold });
    });
  });
}

/** The held ports by name, for global setup (the same process) to release. */
export const PORT_HOLDS = Symbol.for("appbuilder.test-port-holds");

const NAMES = [
  "pg",
  "wsProxy",
  "stack",
  "agent",
  "github",
  "s3",
  "ecr",
  "codebuild",
  "logs",
  "koyeb",
  "neon",
] as const;
export type TestPorts = Record<(typeof NAMES)[number], number>;

export default defineConfig(async () => {
  // The console's files are the Worker's static assets (wrangler.toml [assets]).
  buildConsole();
  const ports = (process.env.TEST_PORTS ? JSON.parse(process.env.TEST_PORTS) : {}) as TestPorts;
  if (!process.env.TEST_PORTS) {
    const holds = new Map<string, net.Server>();
    for (const n of NAMES) {
      const { port, hold } = await holdFreePort();
      ports[n] = port;
      holds.set(n, hold);
    }
    (globalThis as Record<symbol, unknown>)[PORT_HOLDS] = holds;
    process.env.TEST_PORTS = JSON.stringify(ports);
  }
  // The GitHub App's key pair: the private key (PKCS#1, as GitHub issues it) goes to the Worker, the
  // public one to the GitHub stand-in (started by global setup, which reads TEST_GITHUB_APP_KEY).
  if (!process.env.TEST_GITHUB_APP_KEY) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    process.env.TEST_GITHUB_APP_KEY = JSON.stringify({ privateKeyPem: privateKey, publicKeyPem: publicKey });
  }
  const githubAppKey = JSON.parse(process.env.TEST_GITHUB_APP_KEY) as { privateKeyPem: string };
  const local = (p: number) => `http://127.0.0.1:${p}`;
  const workers = {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ENVIRONMENT: "development",
            DATABASE_URL: `postgres://app:app@127.0.0.1:${ports.pg}/app`,
            NEON_WS_PROXY: `127.0.0.1:${ports.wsProxy}`,
            // The production path by default; TEST_DATABASE_DRIVER=ws runs the suite on the WebSocket Pool.
            DATABASE_DRIVER: process.env.TEST_DATABASE_DRIVER ?? "http",
            STACK_PROJECT_ID: "test-project",
            STACK_API_URL: local(ports.stack),
            STACK_SECRET_SERVER_KEY: "test-server-key",
            STACK_PUBLISHABLE_CLIENT_KEY: "test-publishable-key",
            AGENT_SERVER_URL: local(ports.agent),
            AGENT_API_SECRET_AUTH: "test-agent-secret",
            AGENT_IDLE_TIMEOUT_S: "120",
            GITHUB_API_URL: local(ports.github),
            GITHUB_APP_ID: "1001",
            GITHUB_APP_PRIVATE_KEY: githubAppKey.privateKeyPem,
            GITHUB_ORG: "appbuilder-apps",
            GITHUB_OWNER_MODE: "org",
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIATESTKEY",
            AWS_SECRET_ACCESS_KEY: "test-aws-secret",
            S3_BUCKET: "app-snapshots",
            S3_ENDPOINT: local(ports.s3),
            ECR_ENDPOINT: local(ports.ecr),
            CODEBUILD_ENDPOINT: local(ports.codebuild),
            CODEBUILD_PROJECT: "app-builds",
            CLOUDWATCH_LOGS_ENDPOINT: local(ports.logs),
            KOYEB_API_URL: local(ports.koyeb),
            KOYEB_API_TOKEN: "test-koyeb-token",
            NEON_API_URL: local(ports.neon),
            NEON_API_KEY: "test-neon-key",
            DAILY_MESSAGE_LIMIT: "10",
            EMPLOYEE_EMAIL_DOMAINS: "neon.tech",
            EMPLOYEE_GITHUB_ORG: "neondatabase",
            TEST_STAND_IN_PORTS: JSON.stringify(ports),
          },
        },
      }),
    ],
  };
  const timeouts = { testTimeout: 30_000, hookTimeout: 60_000, silent: "passed-only" as const };
  return {
    test: {
      globalSetup: ["./test/global-setup.ts"],
      ...timeouts,
      // The Worker's tests run in workerd; `*.node.test.ts` run in Node (child processes such as git,
      // the file system, vendors' own SDKs).
      projects: [
        {
          ...workers,
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/**/*.node.test.ts"],
            ...timeouts,
          },
        },
        {
          test: {
            name: "node",
            include: ["test/**/*.node.test.ts"],
            environment: "node",
            ...timeouts,
          },
        },
      ],
    },
  };
});
