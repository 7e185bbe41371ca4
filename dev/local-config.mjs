// The Worker's configuration for a local run: what the developer configured (environment and
// .dev.vars), local defaults for every service that runs as a stand-in, and a check with the
// Worker's own schema (src/config.ts) before anything starts.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/**
 * A problem the developer must fix; the message says what and how. It carries no stack, so
 * whatever prints it (npm run dev, vitest's global setup) shows that one message only.
 */
export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = "ConfigError";
    this.stack = message;
  }
}

/** Each stand-in, and the variable whose value, when configured, is used instead of it. */
export const SERVICES = {
  stack: "STACK_API_URL",
  agent: "AGENT_SERVER_URL",
  github: "GITHUB_API_URL",
  s3: "S3_ENDPOINT",
  ecr: "ECR_ENDPOINT",
  codebuild: "CODEBUILD_ENDPOINT",
  logs: "CLOUDWATCH_LOGS_ENDPOINT",
  koyeb: "KOYEB_API_URL",
  neon: "NEON_API_URL",
};

export const DEFAULT_PORTS = {
  worker: 4444,
  stack: 4501,
  agent: 4502,
  github: 4503,
  s3: 4504,
  ecr: 4505,
  codebuild: 4506,
  koyeb: 4507,
  neon: 4508,
  logs: 4509,
  pg: 5532,
  wsProxy: 5533,
};

/** The variable that overrides each local port. */
export const PORT_VARS = Object.fromEntries(
  Object.keys(DEFAULT_PORTS).map((k) => [
    k,
    k === "worker" ? "PORT" : `DEV_PORT_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  ]),
);

const AWS_KEYS = { AWS_ACCESS_KEY_ID: "AKIADEVKEY", AWS_SECRET_ACCESS_KEY: "dev-aws-secret" };

/** Values the Worker and a stand-in must agree on; applied only for a stand-in started locally. */
const STAND_IN_DEFAULTS = {
  stack: {
    STACK_PROJECT_ID: "dev-project",
    STACK_SECRET_SERVER_KEY: "dev-server-key",
    STACK_PUBLISHABLE_CLIENT_KEY: "dev-publishable-key",
  },
  agent: { AGENT_API_SECRET_AUTH: "dev-agent-secret" },
  github: { GITHUB_APP_ID: "1001", GITHUB_ORG: "appbuilder-apps" },
  s3: { ...AWS_KEYS, S3_BUCKET: "app-snapshots" },
  ecr: AWS_KEYS,
  codebuild: { ...AWS_KEYS, CODEBUILD_PROJECT: "app-builds" },
  logs: AWS_KEYS,
  koyeb: { KOYEB_API_TOKEN: "dev-koyeb-token" },
  neon: { NEON_API_KEY: "dev-neon-key" },
};

/** Local policy defaults: the named dev users are an employee (by domain and org) and a user. */
const LOCAL_DEFAULTS = {
  ENVIRONMENT: "development",
  EMPLOYEE_EMAIL_DOMAINS: "neon.tech",
  EMPLOYEE_GITHUB_ORG: "neondatabase",
  // The stand-ins build and deploy in a few polls: poll often so a local prompt is live in seconds.
  DEPLOY_POLL_INTERVAL_S: "2",
};

/** What a configured real service needs besides its URL (a warning, not a refusal: optional features). */
const SERVICE_NEEDS = {
  stack: ["STACK_PROJECT_ID", "STACK_SECRET_SERVER_KEY"],
  agent: ["AGENT_API_SECRET_AUTH"],
  github: ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_ORG"],
  s3: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_BUCKET"],
  ecr: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  codebuild: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "CODEBUILD_PROJECT"],
  logs: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  koyeb: ["KOYEB_API_TOKEN"],
  neon: ["NEON_API_KEY"],
};

/** The Worker's variable names: every one .dev.vars.example documents (set or commented out). */
export function workerVariableNames() {
  const text = fs.readFileSync(path.join(root, ".dev.vars.example"), "utf8");
  const names = new Set();
  for (const m of text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)) names.add(m[1]);
  for (const v of Object.values(PORT_VARS)) names.delete(v);
  return names;
}

/**
 * What the developer configured: every variable of .dev.vars, and the known names from the
 * environment (which wins). `source` says where each came from, for error messages.
 */
export function readLocalConfig({ env = process.env, devVarsFile = path.join(root, ".dev.vars") } = {}) {
  const configured = {};
  const source = {};
  if (fs.existsSync(devVarsFile)) {
    let parsed;
    try {
      parsed = parseEnv(fs.readFileSync(devVarsFile, "utf8"));
    } catch (err) {
      throw new ConfigError(`${devVarsFile} cannot be read: ${err.message}`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (v === "") continue;
      configured[k] = v;
      source[k] = ".dev.vars";
    }
  }
  const names = new Set([...workerVariableNames(), ...Object.values(PORT_VARS)]);
  for (const k of names) {
    if (env[k] === undefined || env[k] === "") continue;
    configured[k] = env[k];
    source[k] = "the environment";
  }
  return { configured, source };
}

/** Local ports: the defaults, each overridable by its variable; a bad value is refused by name. */
export function resolvePorts(configured, source = {}) {
  const ports = {};
  for (const [name, fallback] of Object.entries(DEFAULT_PORTS)) {
    const variable = PORT_VARS[name];
    const raw = configured[variable];
    if (raw === undefined) {
      ports[name] = fallback;
      continue;
    }
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
      throw new ConfigError(
        `${variable} must be a port number (1-65535), got "${raw}" (from ${source[variable] ?? "config"})`,
      );
    }
    ports[name] = n;
  }
  const seen = new Map();
  for (const [name, p] of Object.entries(ports)) {
    if (seen.has(p)) {
      throw new ConfigError(`${PORT_VARS[name]} and ${PORT_VARS[seen.get(p)]} both use port ${p}`);
    }
    seen.set(p, name);
  }
  return ports;
}

/** Stand-ins to start: those whose service URL is not configured. */
export function standInsFor(configured) {
  return Object.keys(SERVICES).filter((name) => !configured[SERVICES[name]]);
}

/** The Worker's variables: configured values win over stand-in and local defaults. */
export function planWorkerVars({ configured, standIns, ports, databaseUrl, wsProxy, githubKey }) {
  const names = workerVariableNames();
  const vars = { ...LOCAL_DEFAULTS };
  for (const name of standIns) {
    Object.assign(vars, STAND_IN_DEFAULTS[name]);
    vars[SERVICES[name]] = `http://127.0.0.1:${ports[name]}`;
  }
  if (githubKey) vars.GITHUB_APP_PRIVATE_KEY = githubKey.privateKeyPem;
  if (databaseUrl) vars.DATABASE_URL = databaseUrl;
  if (wsProxy) vars.NEON_WS_PROXY = wsProxy;
  for (const [k, v] of Object.entries(configured)) if (names.has(k)) vars[k] = v;
  return vars;
}

/** Configured real services missing a credential they need: warnings to print. */
export function missingCredentials(vars, standIns) {
  const warnings = [];
  for (const [name, needs] of Object.entries(SERVICE_NEEDS)) {
    if (standIns.includes(name)) continue;
    const missing = needs.filter((n) => !vars[n]);
    if (missing.length) warnings.push(`${SERVICES[name]} is set but ${missing.join(", ")} is not`);
  }
  return warnings;
}

/**
 * Imports one of the Worker's TypeScript modules from Node, bundled on the fly with esbuild, so
 * a check written here runs the Worker's own code and cannot drift from it.
 */
export async function importWorkerModule(relativePath) {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [path.join(root, relativePath)],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

let loadConfigPromise;
/** The Worker's own loadConfig (src/config.ts). */
async function workerLoadConfig() {
  loadConfigPromise ??= importWorkerModule("src/config.ts").then((mod) => mod.loadConfig);
  return loadConfigPromise;
}

/**
 * Refuses configuration the Worker would refuse, naming each variable and where it was set.
 * Returns the configuration as the Worker reads it (its defaults filled in).
 */
export async function validateWorkerVars(vars, source = {}) {
  const loadConfig = await workerLoadConfig();
  try {
    return loadConfig({ ...vars });
  } catch (err) {
    const detail = String(err?.detail ?? err?.message ?? err);
    const inner = /\((.*)\)$/.exec(detail)?.[1] ?? detail;
    const lines = inner.split("; ").map((issue) => {
      const name = issue.split(":")[0];
      const from = source[name] ? ` (set in ${source[name]})` : vars[name] === undefined ? " (not set)" : "";
      return `  ${issue}${from}`;
    });
    throw new ConfigError(`the configuration is invalid:\n${lines.join("\n")}`);
  }
}

/**
 * The GitHub App key pair the GitHub stand-in verifies app JWTs with. A configured private key is
 * used as given (its public half derived); otherwise one is made and kept in `dir` when given.
 */
export function githubAppKey({ configuredPrivateKey, dir }) {
  if (configuredPrivateKey) {
    let publicKeyPem;
    try {
      publicKeyPem = crypto.createPublicKey(configuredPrivateKey).export({ type: "spki", format: "pem" });
    } catch (err) {
      throw new ConfigError(`GITHUB_APP_PRIVATE_KEY is not a readable PEM private key (${err.message})`);
    }
    return { privateKeyPem: configuredPrivateKey, publicKeyPem };
  }
  const files = dir && { priv: path.join(dir, "private-key.pem"), pub: path.join(dir, "public-key.pem") };
  if (files && fs.existsSync(files.priv) && fs.existsSync(files.pub)) {
    return {
      privateKeyPem: fs.readFileSync(files.priv, "utf8"),
      publicKeyPem: fs.readFileSync(files.pub, "utf8"),
    };
  }
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  if (files) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(files.priv, privateKey, { mode: 0o600 });
    fs.writeFileSync(files.pub, publicKey);
  }
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
