import { type Config, need } from "../config";
import { isNotFound, requestJson } from "./upstream";

// The Koyeb REST API (v1): apps, their domains, services (each create or definition update makes
// a deployment), deployments and secrets. Reads and deletes are retried on 5xx; creates are not
// (the deploy services find what a lost answer created by name instead).
// Shapes follow Koyeb's OpenAPI description (`api/v1/koyeb/openapi.json` in koyeb/koyeb-api-client-go).

const TIMEOUT_MS = 15_000;
const RETRIES = 2;

/** `Deployment.Status` in Koyeb's OpenAPI description, every value. */
export const KOYEB_DEPLOYMENT_STATUSES = [
  "PENDING",
  "PROVISIONING",
  "SCHEDULED",
  "CANCELING",
  "CANCELED",
  "ALLOCATING",
  "STARTING",
  "HEALTHY",
  "DEGRADED",
  "UNHEALTHY",
  "STOPPING",
  "STOPPED",
  "ERRORING",
  "ERROR",
  "STASHED",
  "SLEEPING",
] as const;
export type KoyebDeploymentStatus = (typeof KOYEB_DEPLOYMENT_STATUSES)[number];

export interface KoyebDomain {
  id: string;
  name: string;
  type: "AUTOASSIGNED" | "CUSTOM";
  status: string;
  app_id: string;
}

export interface KoyebApp {
  id: string;
  name: string;
  status: string;
  domains?: KoyebDomain[];
}

/** `DeploymentScalingTarget`: a service scaled to zero names its idle delays (seconds). */
export type KoyebScalingTarget = {
  sleep_idle_delay: { deep_sleep_value?: number; light_sleep_value?: number };
};

/** A deployment definition; the service's name goes at the top level of the create (definition.name is deprecated). */
export interface KoyebDefinition {
  type: "WEB";
  docker: { image: string; image_registry_secret?: string };
  ports: { port: number; protocol: "http" | "http2" | "tcp" }[];
  routes: { path: string; port: number }[];
  env: { key: string; value: string }[];
  regions: string[];
  scalings: { min: number; max: number; targets?: KoyebScalingTarget[] }[];
  instance_types: { type: string }[];
}

export interface KoyebService {
  id: string;
  name: string;
  app_id: string;
  status: string;
  latest_deployment_id: string;
  active_deployment_id: string;
}

export interface KoyebDeployment {
  id: string;
  service_id: string;
  status: KoyebDeploymentStatus;
  messages?: string[];
  definition?: KoyebDefinition;
}

export interface KoyebRegistryCredentials {
  username: string;
  password: string;
  /** The registry host, e.g. `<account>.dkr.ecr.<region>.amazonaws.com`. */
  url: string;
}

export interface KoyebSecret {
  id: string;
  name: string;
  type: "SIMPLE" | "REGISTRY" | "MANAGED";
  updated_at?: string;
}

interface KoyebErrorBody {
  code?: string;
  message?: string;
  fields?: { field?: string; description?: string }[];
}

function koyeb<T>(
  config: Config,
  operation: string,
  method: string,
  path: string,
  body?: unknown,
  limits: { timeoutMs: number; retries: number } = {
    timeoutMs: TIMEOUT_MS,
    retries: method === "GET" || method === "DELETE" ? RETRIES : 0,
  },
): Promise<T> {
  return requestJson<T>({
    service: "koyeb",
    operation,
    url: `${config.KOYEB_API_URL.replace(/\/+$/, "")}${path}`,
    method,
    headers: { authorization: `Bearer ${need(config, "KOYEB_API_TOKEN")}` },
    body,
    ...limits,
    readError: (raw) => {
      const b = raw as KoyebErrorBody;
      const fields = (b.fields ?? []).map((f) => `${f.field}: ${f.description}`).join("; ");
      return { code: b.code ?? "", message: [b.message, fields].filter(Boolean).join(" — ") };
    },
  });
}

/** A read that answers null for 404. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** A delete that answers false for 404 (already gone). */
async function deleted(p: Promise<unknown>): Promise<boolean> {
  return (await orNull(p.then(() => true))) ?? false;
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

export async function createApp(config: Config, name: string): Promise<KoyebApp> {
  return (await koyeb<{ app: KoyebApp }>(config, "CreateApp", "POST", "/v1/apps", { name })).app;
}

export async function getApp(config: Config, id: string): Promise<KoyebApp | null> {
  const out = await orNull(
    koyeb<{ app: KoyebApp }>(config, "GetApp", "GET", `/v1/apps/${encodeURIComponent(id)}`),
  );
  return out?.app ?? null;
}

/** The app with exactly this name (Koyeb's name filter is fuzzy), or null. */
export async function findAppByName(config: Config, name: string): Promise<KoyebApp | null> {
  const out = await koyeb<{ apps: KoyebApp[] }>(
    config,
    "ListApps",
    "GET",
    `/v1/apps?${q({ name, limit: "100" })}`,
  );
  return out.apps.find((a) => a.name === name) ?? null;
}

export function deleteApp(config: Config, id: string): Promise<boolean> {
  return deleted(koyeb(config, "DeleteApp", "DELETE", `/v1/apps/${encodeURIComponent(id)}`));
}

/**
 * Gives the app's auto-assigned domain (`<app>-<org>.koyeb.app`, made by Koyeb with the app) another
 * subdomain: `UpdateDomain.subdomain`, "to change subdomain for auto-assigned domain".
 */
export async function renameDomain(config: Config, id: string, subdomain: string): Promise<KoyebDomain> {
  const path = `/v1/domains/${encodeURIComponent(id)}`;
  return (await koyeb<{ domain: KoyebDomain }>(config, "UpdateDomain", "PATCH", path, { subdomain })).domain;
}

/** The app's domains. `ListDomains` filters by `app_ids` (Koyeb ignores an unknown `app_id`). */
export async function listDomains(config: Config, appId: string): Promise<KoyebDomain[]> {
  const path = `/v1/domains?${q({ app_ids: appId, limit: "100" })}`;
  return (await koyeb<{ domains: KoyebDomain[] }>(config, "ListDomains", "GET", path)).domains;
}

export function deleteDomain(config: Config, id: string): Promise<boolean> {
  return deleted(koyeb(config, "DeleteDomain", "DELETE", `/v1/domains/${encodeURIComponent(id)}`));
}

export async function createService(
  config: Config,
  input: { appId: string; name: string; definition: KoyebDefinition },
): Promise<KoyebService> {
  const body = { app_id: input.appId, name: input.name, definition: input.definition };
  return (await koyeb<{ service: KoyebService }>(config, "CreateService", "POST", "/v1/services", body))
    .service;
}

export async function getService(config: Config, id: string): Promise<KoyebService | null> {
  const path = `/v1/services/${encodeURIComponent(id)}`;
  return (await orNull(koyeb<{ service: KoyebService }>(config, "GetService", "GET", path)))?.service ?? null;
}

/** The app's service with exactly this name, or null. */
export async function findServiceByName(
  config: Config,
  appId: string,
  name: string,
): Promise<KoyebService | null> {
  const path = `/v1/services?${q({ app_id: appId, name, limit: "100" })}`;
  const out = await koyeb<{ services: KoyebService[] }>(config, "ListServices", "GET", path);
  return out.services.find((s) => s.name === name && s.app_id === appId) ?? null;
}

/** Replaces the service's definition, which starts a new deployment (`latest_deployment_id`). */
export async function updateService(
  config: Config,
  id: string,
  definition: KoyebDefinition,
): Promise<KoyebService> {
  const path = `/v1/services/${encodeURIComponent(id)}`;
  return (await koyeb<{ service: KoyebService }>(config, "UpdateService", "PATCH", path, { definition }))
    .service;
}

export function deleteService(config: Config, id: string): Promise<boolean> {
  return deleted(koyeb(config, "DeleteService", "DELETE", `/v1/services/${encodeURIComponent(id)}`));
}

export async function getDeployment(config: Config, id: string): Promise<KoyebDeployment | null> {
  const path = `/v1/deployments/${encodeURIComponent(id)}`;
  return (
    (await orNull(koyeb<{ deployment: KoyebDeployment }>(config, "GetDeployment", "GET", path)))
      ?.deployment ?? null
  );
}

/** The secret with exactly this name, or null. */
export async function findSecretByName(config: Config, name: string): Promise<KoyebSecret | null> {
  const path = `/v1/secrets?${q({ name, limit: "100" })}`;
  const out = await koyeb<{ secrets: KoyebSecret[] }>(config, "ListSecrets", "GET", path);
  return out.secrets.find((s) => s.name === name) ?? null;
}

export async function createRegistrySecret(
  config: Config,
  name: string,
  registry: KoyebRegistryCredentials,
): Promise<KoyebSecret> {
  const body = { name, type: "REGISTRY", private_registry: registry };
  return (await koyeb<{ secret: KoyebSecret }>(config, "CreateSecret", "POST", "/v1/secrets", body)).secret;
}

export async function updateRegistrySecret(
  config: Config,
  id: string,
  name: string,
  registry: KoyebRegistryCredentials,
): Promise<KoyebSecret> {
  const path = `/v1/secrets/${encodeURIComponent(id)}`;
  const body = { name, type: "REGISTRY", private_registry: registry };
  return (await koyeb<{ secret: KoyebSecret }>(config, "UpdateSecret", "PATCH", path, body)).secret;
}

export function deleteSecret(config: Config, id: string): Promise<boolean> {
  return deleted(koyeb(config, "DeleteSecret", "DELETE", `/v1/secrets/${encodeURIComponent(id)}`));
}

/** `LogEntry`: one line, its time (RFC 3339, sub-second) and labels such as `stream` (stdout, stderr, koyeb). */
export interface KoyebLogEntry {
  msg: string;
  created_at: string;
  labels?: Record<string, unknown>;
}

export interface KoyebLogsPage {
  data: KoyebLogEntry[];
  /** `has_more`: lines beyond `limit` in the window; `next_start`/`next_end`: the window that holds them. */
  pagination: { has_more: boolean; next_start?: string; next_end?: string };
}

export interface QueryLogsInput {
  type: "build" | "runtime";
  deploymentId: string;
  /** The window, RFC 3339; Koyeb's default is the last 15 minutes, so both are always sent. */
  start: string;
  end: string;
  /** 1 to 1,000. */
  limit: number;
  timeoutMs: number;
  retries: number;
}

/** `GET /v1/streams/logs/query` for one deployment, oldest first. */
export async function queryLogs(config: Config, input: QueryLogsInput): Promise<KoyebLogsPage> {
  const query = q({
    type: input.type,
    deployment_id: input.deploymentId,
    start: input.start,
    end: input.end,
    order: "asc",
    limit: String(input.limit),
  });
  const out = await koyeb<Partial<KoyebLogsPage>>(
    config,
    "QueryLogs",
    "GET",
    `/v1/streams/logs/query?${query}`,
    undefined,
    { timeoutMs: input.timeoutMs, retries: input.retries },
  );
  return { data: out.data ?? [], pagination: { has_more: false, ...out.pagination } };
}
