import { z } from "zod";
import { AppError } from "./errors";

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1"));
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
const url = z.url();
const optionalUrl = z.url().optional();
const optional = z.string().min(1).optional();
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const ConfigSchema = z
  .object({
    ENVIRONMENT: z.enum(["development", "production"]).default("production"),
    VERSION: z.string().default("0.1.0"),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
    NEON_WS_PROXY: optional,
    DATABASE_DRIVER: z.enum(["http", "ws"]).default("http"),

    STACK_PROJECT_ID: z.string().min(1),
    STACK_API_URL: url,
    STACK_JWKS_URL: optionalUrl,
    STACK_SECRET_SERVER_KEY: optional,
    STACK_PUBLISHABLE_CLIENT_KEY: optional,

    AGENT_SERVER_URL: optionalUrl,
    AGENT_API_SECRET_AUTH: optional,
    AGENT_IDLE_TIMEOUT_S: seconds(120),

    GITHUB_API_URL: url.default("https://api.github.com"),
    GITHUB_APP_ID: optional,
    GITHUB_APP_PRIVATE_KEY: optional,
    GITHUB_ORG: optional,
    GITHUB_OWNER_MODE: z.enum(["org", "user"]).default("org"),
    GITHUB_REPO_PRIVATE: bool(true),

    AWS_REGION: z.string().min(1).default("us-east-1"),
    AWS_ACCESS_KEY_ID: optional,
    AWS_SECRET_ACCESS_KEY: optional,
    S3_BUCKET: optional,
    S3_ENDPOINT: optionalUrl,
    ECR_ENDPOINT: optionalUrl,
    ECR_REPOSITORY_PREFIX: z.string().min(1).default("apps"),
    CODEBUILD_ENDPOINT: optionalUrl,
    CODEBUILD_PROJECT: optional,
    CLOUDWATCH_LOGS_ENDPOINT: optionalUrl,

    KOYEB_API_URL: url.default("https://app.koyeb.com"),
    KOYEB_API_TOKEN: optional,
    KOYEB_REGION: z.string().min(1).default("was"),
    KOYEB_INSTANCE_TYPE: z.string().min(1).default("nano"),
    KOYEB_REGISTRY_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only")
      .default("ecr-registry"),
    DEPLOY_TIMEOUT_S: seconds(900),
    DEPLOY_POLL_INTERVAL_S: seconds(15),

    NEON_API_URL: url.default("https://console.neon.tech"),
    NEON_API_KEY: optional,
    NEON_REGION_ID: optional,
    // Needed with a personal API key (Neon answers 400 "org_id is required"); an org key implies it.
    NEON_ORG_ID: z
      .string()
      .regex(/^[a-z0-9-]{1,60}$/, "a Neon organization id (org-…)")
      .optional(),

    DAILY_MESSAGE_LIMIT: z.coerce.number().int().min(0).default(10),
    EMPLOYEE_EMAIL_DOMAINS: list,
    EMPLOYEE_GITHUB_ORG: optional,
    CORS_ORIGINS: list,
  })
  .transform((c) => ({
    ...c,
    isDevelopment: c.ENVIRONMENT === "development",
    STACK_JWKS_URL:
      c.STACK_JWKS_URL ?? `${c.STACK_API_URL}/api/v1/projects/${c.STACK_PROJECT_ID}/.well-known/jwks.json`,
    stackIssuer: `${c.STACK_API_URL}/api/v1/projects/${c.STACK_PROJECT_ID}`,
    S3_ENDPOINT: c.S3_ENDPOINT ?? `https://s3.${c.AWS_REGION}.amazonaws.com`,
    ECR_ENDPOINT: c.ECR_ENDPOINT ?? `https://api.ecr.${c.AWS_REGION}.amazonaws.com`,
    CODEBUILD_ENDPOINT: c.CODEBUILD_ENDPOINT ?? `https://codebuild.${c.AWS_REGION}.amazonaws.com`,
    CLOUDWATCH_LOGS_ENDPOINT: c.CLOUDWATCH_LOGS_ENDPOINT ?? `https://logs.${c.AWS_REGION}.amazonaws.com`,
  }));

export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

/** Reads and validates the Worker's variables once per env object; a bad variable is named in a 500. */
export function loadConfig(env: object): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new AppError("config_invalid", `Server configuration is invalid (${names})`, { expose: true });
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

/** A variable a feature needs but the core does not: missing → a 500 that names it. */
export function need<K extends keyof Config>(config: Config, name: K): NonNullable<Config[K]> {
  const value = config[name];
  if (value === undefined || value === null || value === "") {
    throw new AppError("config_missing", `Server configuration is missing ${name}`, { expose: true });
  }
  return value as NonNullable<Config[K]>;
}
