// The Koyeb stand-in's world: its resources and the rules Koyeb applies to them (definition
// validation, deployments superseding each other, the image "pull" against the ECR stand-in), and
// the log lines a deployment's instance writes as it goes (Koyeb's own, on the `koyeb` stream, and
// the app's stdout and stderr).

export const NAME_RX = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const PORT_PROTOCOLS = new Set(["http", "http2", "tcp"]);
/** `Deployment.Status` in Koyeb's OpenAPI description (koyeb/koyeb-api-client-go, api/v1/koyeb/openapi.json). */
export const DEPLOYMENT_STATUSES = [
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
];

/** A definition as Koyeb validates it: null when fine, else [field, description]. */
export function checkDefinition(def) {
  if (!def || typeof def !== "object") return ["definition", "is required"];
  if (def.name !== undefined && (typeof def.name !== "string" || !NAME_RX.test(def.name)))
    return ["definition.name", "must be a valid name"];
  if (def.type !== undefined && !["WEB", "WORKER"].includes(def.type))
    return ["definition.type", "is invalid"];
  if (typeof def.docker?.image !== "string" || !def.docker.image)
    return ["definition.docker.image", "cannot be blank"];
  if (!Array.isArray(def.regions) || def.regions.length === 0)
    return ["definition.regions", "cannot be empty"];
  if (!Array.isArray(def.instance_types) || !def.instance_types.every((t) => typeof t?.type === "string")) {
    return ["definition.instance_types", "must list instance types"];
  }
  if (!Array.isArray(def.scalings) || def.scalings.length === 0)
    return ["definition.scalings", "cannot be empty"];
  for (const s of def.scalings) {
    if (!Number.isInteger(s?.min) || !Number.isInteger(s?.max) || s.min < 0 || s.max < 1 || s.min > s.max) {
      return ["definition.scalings", "min and max must satisfy 0 <= min <= max, max >= 1"];
    }
    // Scale to zero needs its idle delay (`DeploymentScalingTarget.sleep_idle_delay`), which
    // Koyeb's control panel always sends for min 0.
    const sleep = (s.targets ?? []).find((t) => t?.sleep_idle_delay)?.sleep_idle_delay;
    if (
      s.min === 0 &&
      !(Number.isInteger(sleep?.deep_sleep_value) || Number.isInteger(sleep?.light_sleep_value))
    ) {
      return ["definition.scalings.targets", "a service scaled to zero needs a sleep_idle_delay target"];
    }
  }
  const ports = def.ports ?? [];
  for (const p of ports) {
    if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535 || !PORT_PROTOCOLS.has(p.protocol)) {
      return ["definition.ports", "each port needs a port number and a protocol (http, http2, tcp)"];
    }
  }
  for (const r of def.routes ?? []) {
    const target = ports.find((p) => p.port === r?.port);
    if (typeof r?.path !== "string" || !r.path.startsWith("/") || !target || target.protocol === "tcp") {
      return ["definition.routes", "each route needs a path and an http port declared in ports"];
    }
  }
  for (const e of def.env ?? []) {
    if (typeof e?.key !== "string" || !e.key || (e.value === undefined && e.secret === undefined)) {
      return ["definition.env", "each variable needs a key and a value or a secret"];
    }
  }
  return null;
}

export function createKoyebWorld({ organizationName, domainSuffix, ecr }) {
  const organizationId = crypto.randomUUID();
  const apps = new Map();
  const domains = new Map();
  const services = new Map();
  const deployments = new Map();
  const secrets = new Map();
  const now = () => new Date().toISOString();
  const appView = (a) => ({ ...a, domains: [...domains.values()].filter((d) => d.app_id === a.id) });

  /** Log lines, oldest first: { us (microseconds since the epoch, unique), created_at, msg, type, labels }. */
  const logs = [];
  let lastUs = 0;
  const instances = new Map();
  /** A line of deployment `d`'s instance on `stream` (stdout, stderr, koyeb). */
  function log(d, stream, msg, type = "runtime") {
    lastUs = Math.max(Date.now() * 1000, lastUs + 1);
    if (!instances.has(d.id)) instances.set(d.id, crypto.randomUUID().replace(/-/g, "").slice(0, 8));
    logs.push({
      us: lastUs,
      created_at: isoMicro(lastUs),
      msg,
      type,
      labels: {
        stream,
        type,
        organization_id: organizationId,
        app_id: d.app_id,
        service_id: d.service_id,
        deployment_id: d.id,
        instance_id: instances.get(d.id),
        region: d.definition?.regions?.[0] ?? "",
      },
    });
  }

  const makeDomain = (name, appId, type) => {
    const d = {
      id: crypto.randomUUID(),
      organization_id: organizationId,
      name,
      created_at: now(),
      updated_at: now(),
      status: "ACTIVE",
      type,
      app_id: appId,
      deployment_group: "prod",
      verified_at: now(),
      intended_cname: "",
      messages: [],
      version: "1",
    };
    domains.set(d.id, d);
    return d;
  };

  function newDeployment(service, definition) {
    for (const d of deployments.values()) {
      if (d.service_id === service.id && ["PENDING", "PROVISIONING", "SCHEDULED"].includes(d.status)) {
        d.status = "CANCELED";
        d.terminated_at = now();
        d.messages = ["Deployment canceled: superseded by a newer deployment"];
      }
    }
    const d = {
      id: crypto.randomUUID(),
      created_at: now(),
      updated_at: now(),
      allocated_at: null,
      started_at: null,
      succeeded_at: null,
      terminated_at: null,
      organization_id: organizationId,
      app_id: service.app_id,
      service_id: service.id,
      parent_id: service.latest_deployment_id ?? "",
      child_id: "",
      status: "PENDING",
      metadata: { trigger: { type: "RESOURCE", actor: "USER" } },
      definition: structuredClone(definition),
      messages: [],
      skip_build: false,
      role: "ACTIVE",
      version: String([...deployments.values()].filter((x) => x.service_id === service.id).length + 1),
      deployment_group: "prod",
    };
    deployments.set(d.id, d);
    service.latest_deployment_id = d.id;
    service.updated_at = now();
    return d;
  }

  /** What pulling and starting the image would say: null when it runs, else the messages. */
  function runImage(def) {
    const image = def.docker.image;
    if (!ecr || !image.startsWith(`${ecr.registryHost}/`)) return null;
    const secretName = def.docker.image_registry_secret;
    const secret = [...secrets.values()].find((s) => s.name === secretName);
    if (!secretName || !secret) return [`Image pull failed: no registry secret named "${secretName ?? ""}"`];
    const reg = secret.private_registry;
    const host = String(reg?.url ?? "")
      .replace(/^https?:\/\//, "")
      .replace(/\/$/, "");
    if (
      secret.type !== "REGISTRY" ||
      host !== ecr.registryHost ||
      !ecr.checkLogin(reg.username, reg.password)
    ) {
      return [`Image pull failed: ${image}: unauthorized: authentication required`];
    }
    const found = ecr.lookupImage(image);
    if (!found) return [`Image pull failed: ${image}: manifest unknown`];
    if (found.markers?.koyebError) {
      return ["Instance stopped: the application exited with code 1", found.markers.koyebError];
    }
    return null;
  }

  /** Deployments put in a status by hand (`/__dev/deployments/:id/status`) stay in it. */
  const held = new Set();

  /** One poll's worth of progress of a deployment. */
  function advance(d) {
    if (held.has(d.id)) return;
    if (d.status === "PENDING") {
      d.status = "PROVISIONING";
      d.allocated_at = now();
      log(d, "koyeb", "Instance created. Preparing to start...");
    } else if (d.status === "PROVISIONING") {
      if (ecr?.lookupImage(d.definition.docker.image)?.markers?.koyebHang) return;
      const service = services.get(d.service_id);
      const failure = runImage(d.definition);
      d.started_at = now();
      if (failure) {
        const [why, ...output] = failure;
        if (output.length) log(d, "koyeb", "Instance is starting. Propagating network configuration...");
        for (const line of output) log(d, "stderr", line);
        log(d, "koyeb", why);
        d.status = "ERROR";
        d.messages = failure;
        d.terminated_at = now();
        if (service && service.active_deployment_id === "") service.status = "UNHEALTHY";
      } else {
        log(d, "koyeb", "Instance is starting. Propagating network configuration...");
        log(d, "stdout", `Server listening on port ${d.definition.ports?.[0]?.port ?? 8000}`);
        log(d, "koyeb", "Instance is healthy. All health checks are passing.");
        // An image marked `koyebSleep` went healthy and idle between two polls: first seen SLEEPING.
        d.status = ecr?.lookupImage(d.definition.docker.image)?.markers?.koyebSleep ? "SLEEPING" : "HEALTHY";
        d.succeeded_at = now();
        if (service) {
          const previous = deployments.get(service.active_deployment_id);
          if (previous && previous.id !== d.id) {
            previous.status = "STOPPED";
            previous.terminated_at = now();
          }
          service.active_deployment_id = d.id;
          service.last_provisioned_deployment_id = d.id;
          service.status = "HEALTHY";
        }
      }
    } else return;
    d.updated_at = now();
  }

  const removeService = (id) => {
    services.delete(id);
    for (const [did, d] of deployments) if (d.service_id === id) deployments.delete(did);
  };

  const secretView = (s) => ({
    ...s,
    ...(s.value !== undefined ? { value: "*****" } : {}),
    ...(s.private_registry ? { private_registry: { ...s.private_registry, password: "*****" } } : {}),
  });
  function applySecret(target, b) {
    if (b.type !== undefined && !["SIMPLE", "REGISTRY"].includes(b.type)) return ["type", "is invalid"];
    const type = b.type ?? target.type ?? "SIMPLE";
    if (type === "REGISTRY") {
      const r = b.private_registry ?? target.private_registry;
      if (
        !r ||
        typeof r.username !== "string" ||
        typeof r.password !== "string" ||
        typeof r.url !== "string"
      ) {
        return ["private_registry", "username, password and url are required"];
      }
      Object.assign(target, {
        type,
        private_registry: { username: r.username, password: r.password, url: r.url },
      });
      delete target.value;
    } else {
      if (typeof (b.value ?? target.value) !== "string") return ["value", "cannot be blank"];
      Object.assign(target, { type, value: b.value ?? target.value });
      delete target.private_registry;
    }
    target.updated_at = now();
    return null;
  }

  return {
    organizationId,
    apps,
    domains,
    services,
    deployments,
    secrets,
    now,
    appView,
    autoDomainName: (appName) => `${appName}-${organizationName}.${domainSuffix}`,
    makeDomain,
    newDeployment,
    advance,
    logs,
    log,
    hold: (id) => held.add(id),
    removeService,
    secretView,
    applySecret,
  };
}

/** `2026-11-26T09:00:00.123456Z`: RFC 3339 with microseconds, as Koyeb writes `created_at` of log lines. */
export function isoMicro(us) {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, -1)}${String(us % 1000).padStart(3, "0")}Z`;
}

/** Microseconds since the epoch of an RFC 3339 time (any fraction, `Z` or an offset), else null. */
export function parseRfc3339(text) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(text ?? "");
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3].toUpperCase()}`);
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number((m[2] ?? "").padEnd(6, "0").slice(0, 6));
}
