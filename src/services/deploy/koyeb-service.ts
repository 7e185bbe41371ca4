import * as koyeb from "../../clients/koyeb";
import { isUpstreamError } from "../../clients/upstream";
import type { Config } from "../../config";

// The app's one Koyeb service, `web`: the image on port 80, scaled to zero when idle (min 0,
// max 1). Creating it or changing its definition starts a Koyeb deployment.

export const SERVICE_NAME = "web";
export const SERVICE_PORT = 80;

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

export function serviceDefinition(config: Config, input: DeployServiceInput): koyeb.KoyebDefinition {
  const env = Object.entries(input.env)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return {
    name: SERVICE_NAME,
    type: "WEB",
    docker: { image: input.imageUri, image_registry_secret: config.KOYEB_REGISTRY_SECRET },
    ports: [{ port: SERVICE_PORT, protocol: "http" }],
    routes: [{ path: "/", port: SERVICE_PORT }],
    env,
    regions: [input.region ?? config.KOYEB_REGION],
    scalings: [{ min: 0, max: 1 }],
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
    (d.scalings ?? []).map((s) => `${s.min}-${s.max}`),
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
export async function deployKoyebService(
  config: Config,
  input: DeployServiceInput,
): Promise<{ serviceId: string; deploymentId: string }> {
  const definition = serviceDefinition(config, input);
  let service = await findService(config, input);
  if (!service) {
    try {
      const created = await koyeb.createService(config, input.koyebAppId, definition);
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

const FAILED = new Set(["ERROR", "CANCELED", "STOPPED", "STOPPING"]);

/** Where a Koyeb deployment stands; `reason` carries Koyeb's messages for a failed one. */
export async function getKoyebDeployment(
  config: Config,
  deploymentId: string,
): Promise<KoyebDeploymentState> {
  const d = await koyeb.getDeployment(config, deploymentId);
  if (!d)
    return {
      status: "failed",
      koyebStatus: "UNKNOWN",
      reason: `Koyeb does not know deployment ${deploymentId}`,
    };
  if (d.status === "HEALTHY") return { status: "healthy", koyebStatus: d.status };
  if (FAILED.has(d.status)) {
    const reason =
      (d.messages ?? []).filter(Boolean).join("; ") || `The deployment ended ${d.status.toLowerCase()}`;
    return { status: "failed", koyebStatus: d.status, reason };
  }
  return { status: "pending", koyebStatus: d.status };
}
