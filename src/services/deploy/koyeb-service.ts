import * as koyeb from "../../clients/koyeb";
import { isUpstreamError } from "../../clients/upstream";
import type { Config } from "../../config";
import type { ServiceContext } from "../../context";

// The app's one Koyeb service, `web`: the image on port 80, scaled to zero when idle (min 0,
// max 1). Creating it or changing its definition starts a Koyeb deployment.

export const SERVICE_NAME = "web";
export const SERVICE_PORT = 80;
/** Seconds without a request before the app's instance is put to sleep. */
export const IDLE_DELAY_S = 300;

export interface ServiceEnv {
  APP_DATABASE_URL?: string;
  SERVER_PORT: string;
}

export interface DeployServiceInput {
  koyebAppId: string;
  existingServiceId?: string | null;
  imageUri: string;
  env: ServiceEnv;
  /** A Koyeb region; KOYEB_REGION when unset. */
  region?: string;
}

export type KoyebDeploymentState =
  | { status: "pending"; koyebStatus: string }
  | { status: "healthy"; koyebStatus: string }
  | { status: "failed"; koyebStatus: string; reason: string };

function serviceDefinition(config: Config, input: DeployServiceInput): koyeb.KoyebDefinition {
  const env = Object.entries(input.env)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return {
    type: "WEB",
    docker: { image: input.imageUri, image_registry_secret: config.KOYEB_REGISTRY_SECRET },
    ports: [{ port: SERVICE_PORT, protocol: "http" }],
    routes: [{ path: "/", port: SERVICE_PORT }],
    env,
    regions: [input.region ?? config.KOYEB_REGION],
    // Scale to zero names its idle delay, as Koyeb's control panel always does for min 0.
    scalings: [{ min: 0, max: 1, targets: [{ sleep_idle_delay: { deep_sleep_value: IDLE_DELAY_S } }] }],
    instance_types: [{ type: config.KOYEB_INSTANCE_TYPE }],
  };
}

/** The parts of a definition we set, in a stable form (Koyeb may add defaults to what it returns). */
function essence(d: koyeb.KoyebDefinition | undefined): string {
  if (!d) return "";
  return JSON.stringify([
    d.docker?.image,
    d.docker?.image_registry_secret,
    [...(d.env ?? [])].map((e) => `${e.key}=${e.value}`).sort(),
    (d.ports ?? []).map((p) => `${p.port}/${p.protocol}`),
    d.regions,
    (d.scalings ?? []).map((s) => `${s.min}-${s.max}-${JSON.stringify(s.targets ?? [])}`),
    (d.instance_types ?? []).map((t) => t.type),
  ]);
}

async function findService(config: Config, input: DeployServiceInput): Promise<koyeb.KoyebService | null> {
  const recorded = input.existingServiceId ? await koyeb.getService(config, input.existingServiceId) : null;
  return recorded ?? (await koyeb.findServiceByName(config, input.koyebAppId, SERVICE_NAME));
}

/**
 * Creates the service or gives it the new definition. A repeated call for the same image and
 * environment finds the deployment the first one started instead of starting another.
 */
export async function deployKoyebService({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: DeployServiceInput;
}): Promise<{ serviceId: string; deploymentId: string }> {
  const { config } = ctx;
  const definition = serviceDefinition(config, input);
  let service = await findService(config, input);
  if (!service) {
    try {
      const created = await koyeb.createService(config, {
        appId: input.koyebAppId,
        name: SERVICE_NAME,
        definition,
      });
      return { serviceId: created.id, deploymentId: created.latest_deployment_id };
    } catch (err) {
      if (!isUpstreamError(err) || err.upstreamStatus !== 409) throw err;
      service = await koyeb.findServiceByName(config, input.koyebAppId, SERVICE_NAME);
      if (!service) throw err;
    }
  }
  if (service.latest_deployment_id) {
    const latest = await koyeb.getDeployment(config, service.latest_deployment_id);
    if (latest && essence(latest.definition) === essence(definition)) {
      return { serviceId: service.id, deploymentId: latest.id };
    }
  }
  const updated = await koyeb.updateService(config, service.id, definition);
  return { serviceId: updated.id, deploymentId: updated.latest_deployment_id };
}

/**
 * What each Koyeb deployment status means for us. A scale-to-zero service goes SLEEPING after its
 * idle delay, so a deployment first seen SLEEPING has been healthy. DEGRADED and UNHEALTHY are
 * still converging (Koyeb retries instances, then settles on HEALTHY or ERROR); ERRORING,
 * CANCELING and STOPPING only end one way; STASHED is a deployment Koyeb will not run.
 */
const MEANING: Record<koyeb.KoyebDeploymentStatus, KoyebDeploymentState["status"]> = {
  PENDING: "pending",
  PROVISIONING: "pending",
  SCHEDULED: "pending",
  ALLOCATING: "pending",
  STARTING: "pending",
  DEGRADED: "pending",
  UNHEALTHY: "pending",
  HEALTHY: "healthy",
  SLEEPING: "healthy",
  CANCELING: "failed",
  CANCELED: "failed",
  STOPPING: "failed",
  STOPPED: "failed",
  ERRORING: "failed",
  ERROR: "failed",
  STASHED: "failed",
};

/** Koyeb's messages about the user's instance, bounded: they are shown to the user. */
function instanceMessages(messages: string[] | undefined): string {
  const text = (messages ?? []).filter((m) => typeof m === "string" && m).join("; ");
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}

/** Where a Koyeb deployment stands; `reason` carries Koyeb's messages about a failed one's instance. */
export async function getKoyebDeployment({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { deploymentId: string };
}): Promise<KoyebDeploymentState> {
  const d = await koyeb.getDeployment(ctx.config, input.deploymentId);
  if (!d) return { status: "failed", koyebStatus: "UNKNOWN", reason: "Koyeb no longer knows the deployment" };
  // A status newer than this list keeps the deployment pending: the deployment ceiling still applies.
  const meaning = MEANING[d.status] ?? "pending";
  if (meaning !== "failed") return { status: meaning, koyebStatus: d.status };
  const reason = instanceMessages(d.messages) || `The deployment ended ${d.status.toLowerCase()}`;
  return { status: "failed", koyebStatus: d.status, reason };
}
