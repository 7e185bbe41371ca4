import { loadConfig } from "./config";

// What a production configuration needs beyond what the Worker's schema checks: every variable a
// deploy uses, credentials in the form their vendor issues them, public URLs over https, and no
// local-only setting. Reads values only; calls nothing. Used by `npm run check:config` and the
// smoke run.

type Vars = Record<string, string | undefined>;

/** Every variable a complete production deploy needs (publishing, building, deploying). */
export const REQUIRED_IN_PRODUCTION = [
  "ENVIRONMENT",
  "DATABASE_URL",
  "STACK_PROJECT_ID",
  "STACK_API_URL",
  "STACK_SECRET_SERVER_KEY",
  "AGENT_SERVER_URL",
  "AGENT_API_SECRET_AUTH",
  "GITHUB_APP_ID",
  "GITHUB_APP_PRIVATE_KEY",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "S3_BUCKET",
  "CODEBUILD_PROJECT",
  "KOYEB_API_TOKEN",
  "KOYEB_REGION",
] as const;

const URLS = [
  "STACK_API_URL",
  "STACK_JWKS_URL",
  "AGENT_SERVER_URL",
  "GITHUB_API_URL",
  "S3_ENDPOINT",
  "ECR_ENDPOINT",
  "CODEBUILD_ENDPOINT",
  "CLOUDWATCH_LOGS_ENDPOINT",
  "KOYEB_API_URL",
  "NEON_API_URL",
] as const;

const SECRETS = [
  "STACK_SECRET_SERVER_KEY",
  "AGENT_API_SECRET_AUTH",
  "AWS_SECRET_ACCESS_KEY",
  "KOYEB_API_TOKEN",
  "NEON_API_KEY",
] as const;

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i;

function hostOf(value: string): string | null {
  try {
    return new URL(value).hostname;
  } catch {
    return null;
  }
}

/** A PKCS#1 RSA private key in PEM, as GitHub issues an App's key. */
function pkcs1Problem(pem: string): string | null {
  const text = pem.replace(/\\n/g, "\n").trim();
  const m = /^-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)\n-----END RSA PRIVATE KEY-----$/.exec(
    text,
  );
  if (!m) {
    if (text.includes("BEGIN PRIVATE KEY")) return "is PKCS#8; GitHub issues PKCS#1 (BEGIN RSA PRIVATE KEY)";
    return "must be a PEM PKCS#1 RSA private key (-----BEGIN RSA PRIVATE KEY----- …)";
  }
  if (m[1]!.replace(/\n/g, "").length < 800) return "is too short for an RSA key of 2048 bits or more";
  return null;
}

/** Problems of a production configuration, one line each naming the variable; empty when fine. */
export function productionProblems(vars: Vars): string[] {
  const problems: string[] = [];
  const set = (name: string) => vars[name] !== undefined && vars[name] !== "";
  const add = (name: string, problem: string) => problems.push(`${name}: ${problem}`);

  try {
    loadConfig({ ...vars });
  } catch (err) {
    const detail = String((err as Error).message);
    const inner = /\((.*)\)$/.exec(detail)?.[1] ?? detail;
    problems.push(...inner.split("; "));
  }

  // A missing required variable is named once, as missing (not also as the schema's type error).
  const missing = REQUIRED_IN_PRODUCTION.filter((name) => !set(name));
  problems.splice(0, problems.length, ...problems.filter((p) => !missing.some((n) => p.startsWith(`${n}:`))));
  for (const name of missing) add(name, "is required in production");
  if (set("ENVIRONMENT") && vars.ENVIRONMENT !== "production") add("ENVIRONMENT", "must be production");
  if ((vars.GITHUB_OWNER_MODE ?? "org") === "org" && !set("GITHUB_ORG")) {
    add("GITHUB_ORG", "is required when GITHUB_OWNER_MODE is org");
  }
  if (set("NEON_WS_PROXY")) add("NEON_WS_PROXY", "is local only: leave it unset in production");

  for (const name of URLS) {
    const value = vars[name];
    if (!value) continue;
    const host = hostOf(value);
    if (!value.startsWith("https://") || !host) add(name, "must be an https:// URL");
    else if (LOCAL_HOST.test(host)) add(name, "points at this machine");
  }
  if (set("DATABASE_URL")) {
    const host = hostOf(vars.DATABASE_URL!.replace(/^postgres(ql)?:/, "http:"));
    if (!host || LOCAL_HOST.test(host))
      add("DATABASE_URL", "must name a reachable database host, not this machine");
  }
  for (const origin of (vars.CORS_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!/^https:\/\/[^/]+$/.test(origin)) add("CORS_ORIGINS", `${origin} must be an https origin (no path)`);
  }

  if (set("GITHUB_APP_PRIVATE_KEY")) {
    const p = pkcs1Problem(vars.GITHUB_APP_PRIVATE_KEY!);
    if (p) add("GITHUB_APP_PRIVATE_KEY", p);
  }
  if (set("GITHUB_APP_ID") && !/^\d+$/.test(vars.GITHUB_APP_ID!))
    add("GITHUB_APP_ID", "must be the App's numeric id");
  if (set("AWS_ACCESS_KEY_ID") && !/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(vars.AWS_ACCESS_KEY_ID!)) {
    add("AWS_ACCESS_KEY_ID", "must be an AWS access key id (AKIA… or ASIA…, 20 characters)");
  }
  if (set("AWS_SECRET_ACCESS_KEY") && !/^[A-Za-z0-9/+=]{40}$/.test(vars.AWS_SECRET_ACCESS_KEY!)) {
    add("AWS_SECRET_ACCESS_KEY", "must be an AWS secret access key (40 characters)");
  }
  if (set("AWS_REGION") && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(vars.AWS_REGION!)) {
    add("AWS_REGION", "must be an AWS region such as us-east-1");
  }
  if (set("S3_BUCKET") && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(vars.S3_BUCKET!)) {
    add("S3_BUCKET", "must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)");
  }
  for (const name of SECRETS) {
    if (set(name) && /^(dev|test)-/.test(vars[name]!)) add(name, "is a local stand-in value");
  }
  return problems;
}
