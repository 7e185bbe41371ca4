import { exportPKCS8, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { productionProblems } from "../src/config-production";

// `npm run check:config`'s rules: a complete production configuration passes (and the Worker's own
// schema accepts it); each kind of mistake is named by variable. Nothing is called.

const PKCS1 = (body: string) => `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
const keyBody = () => Array.from({ length: 25 }, () => "A".repeat(64)).join("\n");

const good = () => ({
  ENVIRONMENT: "production",
  DATABASE_URL: "postgresql://app:pw@ep-quiet-river-123456.us-east-2.aws.neon.tech/app?sslmode=require",
  STACK_PROJECT_ID: "5c1b5f0e-1111-4a2b-9c3d-123456789abc",
  STACK_API_URL: "https://api.stack-auth.com",
  STACK_SECRET_SERVER_KEY: "ssk_live_0123456789",
  AGENT_SERVER_URL: "https://agent.example.com",
  AGENT_API_SECRET_AUTH: "s3cr3t-agent",
  GITHUB_APP_ID: "123456",
  GITHUB_APP_PRIVATE_KEY: PKCS1(keyBody()),
  GITHUB_ORG: "acme-apps",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIAABCDEFGHIJKLMNOP",
  AWS_SECRET_ACCESS_KEY: "abcdefghijABCDEFGHIJ0123456789/+abcdefgh",
  S3_BUCKET: "acme-app-snapshots",
  CODEBUILD_PROJECT: "app-builds",
  KOYEB_API_TOKEN: "koyeb-token-0123456789",
  KOYEB_REGION: "was",
  NEON_API_KEY: "napi_0123456789",
  NEON_ORG_ID: "org-acme-12345678",
  CORS_ORIGINS: "https://app.example.com",
});

describe("production configuration check", () => {
  it("a complete production configuration has no problem, and the Worker accepts it", () => {
    expect(productionProblems(good())).toEqual([]);
    expect(loadConfig(good())).toMatchObject({ ENVIRONMENT: "production", NEON_ORG_ID: "org-acme-12345678" });
  });

  it("names every missing required variable once", () => {
    const { DATABASE_URL, KOYEB_API_TOKEN, GITHUB_ORG, ...rest } = good();
    expect(productionProblems(rest)).toEqual([
      "DATABASE_URL: is required in production",
      "KOYEB_API_TOKEN: is required in production",
      "GITHUB_ORG: is required when GITHUB_OWNER_MODE is org",
    ]);
  });

  it("refuses development settings: ENVIRONMENT, a local database, the WebSocket proxy, http URLs, stand-in secrets", () => {
    const problems = productionProblems({
      ...good(),
      ENVIRONMENT: "development",
      DATABASE_URL: "postgres://app:app@127.0.0.1:5532/app",
      NEON_WS_PROXY: "127.0.0.1:5533",
      KOYEB_API_URL: "http://127.0.0.1:4507",
      AGENT_SERVER_URL: "https://localhost:4502",
      KOYEB_API_TOKEN: "dev-koyeb-token",
      CORS_ORIGINS: "http://app.example.com",
    });
    expect(problems).toEqual([
      "ENVIRONMENT: must be production",
      "NEON_WS_PROXY: is local only: leave it unset in production",
      "AGENT_SERVER_URL: points at this machine",
      "KOYEB_API_URL: must be an https:// URL",
      "DATABASE_URL: must name a reachable database host, not this machine",
      "CORS_ORIGINS: http://app.example.com must be an https origin (no path)",
      "KOYEB_API_TOKEN: is a local stand-in value",
    ]);
  });

  it("checks key formats: PKCS#1 PEM (a PKCS#8 key is named as such), AWS keys, region, bucket, ids", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const pkcs8 = await exportPKCS8(privateKey);
    const problems = productionProblems({
      ...good(),
      GITHUB_APP_PRIVATE_KEY: pkcs8,
      GITHUB_APP_ID: "my-app",
      AWS_ACCESS_KEY_ID: "AKIADEVKEY",
      AWS_SECRET_ACCESS_KEY: "short",
      AWS_REGION: "useast1",
      S3_BUCKET: "Bad_Bucket",
      NEON_ORG_ID: "Org With Spaces",
    });
    expect(problems).toEqual([
      "NEON_ORG_ID: a Neon organization id (org-…)",
      "GITHUB_APP_PRIVATE_KEY: is PKCS#8; GitHub issues PKCS#1 (BEGIN RSA PRIVATE KEY)",
      "GITHUB_APP_ID: must be the App's numeric id",
      "AWS_ACCESS_KEY_ID: must be an AWS access key id (AKIA… or ASIA…, 20 characters)",
      "AWS_SECRET_ACCESS_KEY: must be an AWS secret access key (40 characters)",
      "AWS_REGION: must be an AWS region such as us-east-1",
      "S3_BUCKET: must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)",
    ]);
    expect(productionProblems({ ...good(), GITHUB_APP_PRIVATE_KEY: PKCS1("QUJD") })).toEqual([
      "GITHUB_APP_PRIVATE_KEY: is too short for an RSA key of 2048 bits or more",
    ]);
  });
});
