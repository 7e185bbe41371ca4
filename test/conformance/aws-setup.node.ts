import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startStandIns } from "../../dev/stand-ins/index.mjs";
import { type Config, loadConfig } from "../../src/config";

// Node-side harness for the AWS conformance tests: the S3, ECR, CodeBuild and CloudWatch Logs
// stand-ins on free ports, each behind a recording pass-through, so a test can read exactly what
// our client and AWS's SDK put on the wire for the same operation.

// Our clients run in workerd, whose WebCrypto also digests MD5 (S3's Content-MD5); Node's does not.
const nodeDigest = crypto.subtle.digest.bind(crypto.subtle);
type DigestArgs = Parameters<typeof crypto.subtle.digest>;
crypto.subtle.digest = (async (algorithm: DigestArgs[0], data: DigestArgs[1]) => {
  const name = typeof algorithm === "string" ? algorithm : algorithm.name;
  if (name.toUpperCase() !== "MD5") return nodeDigest(algorithm, data);
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  return new Uint8Array(createHash("md5").update(bytes).digest()).buffer;
}) as typeof crypto.subtle.digest;

export const REGION = "us-east-1";
export const credentials = { accessKeyId: "AKIACONFORMANCE", secretAccessKey: "conformance-secret" };
const BUCKET = "app-snapshots";

export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

/** Forwards every request unchanged (Host included, so signatures still verify) and records it. */
async function recorder(target: string) {
  const seen: Recorded[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const entry: Recorded = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        status: 0,
      };
      seen.push(entry);
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          entry.status = up.statusCode ?? 0;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on("error", (err) => res.destroy(err));
      out.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    /** Everything recorded since the last call. */
    take: () => seen.splice(0),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type AwsHarness = Awaited<ReturnType<typeof startAws>>;

export async function startAws() {
  const aws = { ...credentials, region: REGION };
  const standIns = await startStandIns({
    only: ["s3", "ecr", "logs", "codebuild"],
    s3: { ...aws, buckets: [BUCKET] },
    ecr: aws,
    logs: aws,
    codebuild: { ...aws, projectName: "app-builds" },
  });
  const s3 = await recorder(standIns.s3.url);
  const ecr = await recorder(standIns.ecr.url);
  const codebuild = await recorder(standIns.codebuild.url);
  const logs = await recorder(standIns.logs.url);
  const config: Config = loadConfig({
    ENVIRONMENT: "development",
    DATABASE_URL: "postgres://unused@127.0.0.1:1/unused",
    STACK_PROJECT_ID: "p",
    STACK_API_URL: "http://127.0.0.1:1",
    STACK_SECRET_SERVER_KEY: "k",
    AGENT_SERVER_URL: "http://127.0.0.1:1",
    AGENT_API_SECRET_AUTH: "s",
    GITHUB_API_URL: "http://127.0.0.1:1",
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3.url,
    ECR_ENDPOINT: ecr.url,
    CODEBUILD_ENDPOINT: codebuild.url,
    CODEBUILD_PROJECT: "app-builds",
    CLOUDWATCH_LOGS_ENDPOINT: logs.url,
  });
  return {
    config,
    bucket: BUCKET,
    standIns,
    s3,
    ecr,
    codebuild,
    logs,
    /** What the official SDK clients need to talk to the stand-ins. */
    sdk: (endpoint: string) => ({ region: REGION, endpoint, credentials, maxAttempts: 1 }),
    close: async () => {
      await Promise.all([s3.close(), ecr.close(), codebuild.close(), logs.close()]);
      await standIns.close();
    },
  };
}

/** The SigV4 credential scope of a recorded request: `{ date, region, service }`. */
export function signingScope(r: Recorded) {
  const auth = String(r.headers.authorization ?? "");
  const m = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  if (!m) throw new Error(`no SigV4 credential in ${auth || "(no authorization header)"}`);
  return { region: m[2], service: m[3] };
}

/** The JSON body's shape: every key path, so values may differ but structure may not. */
export function jsonShape(body: Buffer): string[] {
  const paths: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, `${at}[]`);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        paths.push(`${at}.${k}`);
        walk(x, `${at}.${k}`);
      }
    }
  };
  walk(JSON.parse(body.toString("utf8") || "{}"), "$");
  return [...new Set(paths)].sort();
}
