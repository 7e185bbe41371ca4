// Koyeb REST API v1 stand-in: apps (each with its auto-assigned `<app>-<org>.<suffix>` domain, as
// on Koyeb), domains, services whose every create or definition update makes a deployment,
// deployments that move PENDING → PROVISIONING → HEALTHY (or ERROR) over successive polls, and
// secrets, and the log lines of deployments (`GET /v1/streams/logs/query`). Bearer token on every call.
// A deployment of an image from the ECR stand-in "pulls" it for real: the registry secret must hold
// a live ECR login, the image must exist, and an image built with a `.koyeb-error` marker crashes.
import { createFaults, guardRoutes } from "./faults.mjs";
import { createServer, INVALID_JSON, json, listen, send } from "./http.mjs";
import { queryLogs } from "./koyeb-logs.mjs";
import { checkDefinition, createKoyebWorld, DEPLOYMENT_STATUSES, NAME_RX } from "./koyeb-world.mjs";

const koyebError = (res, status, code, message, fields) =>
  send(res, status, { status, code, message, ...(fields ? { fields } : {}) });
const invalid = (res, field, description) =>
  koyebError(res, 400, "invalid_argument", "Invalid argument", [{ field, description }]);
const notFound = (res, what) => koyebError(res, 404, "not_found", `${what} not found`);

export async function startKoyeb({
  port = 0,
  token = "dev-koyeb-token",
  organizationName = "appbuilder",
  domainSuffix = "koyeb.app",
  ecr,
} = {}) {
  const world = createKoyebWorld({ organizationName, domainSuffix, ecr });
  const { organizationId, apps, domains, services, deployments, secrets, now, appView } = world;
  const { makeDomain, newDeployment, advance, removeService, secretView, applySecret } = world;
  const faults = createFaults();

  const body = (raw) => {
    const b = raw.length ? json(raw) : {};
    return b === INVALID_JSON || typeof b !== "object" || b === null || Array.isArray(b) ? null : b;
  };
  const page = (res, key, items, url) => {
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 20) || 20, 100);
    const offset = Number(url.searchParams.get("offset") ?? 0) || 0;
    send(res, 200, { [key]: items.slice(offset, offset + limit), limit, offset, count: items.length });
  };
  // Koyeb's list filters are fuzzy: a client must compare names itself.
  const nameFilter = (url) => (item) =>
    !url.searchParams.get("name") || item.name.includes(url.searchParams.get("name"));

  const routes = [
    [
      "POST",
      "/v1/apps",
      ({ res, body: raw }) => {
        const b = body(raw);
        if (!b || typeof b.name !== "string" || !NAME_RX.test(b.name))
          return invalid(res, "name", "must be a valid name");
        if ([...apps.values()].some((a) => a.name === b.name)) {
          return koyebError(res, 409, "conflict", `An app named "${b.name}" already exists`);
        }
        const a = {
          id: crypto.randomUUID(),
          name: b.name,
          organization_id: organizationId,
          created_at: now(),
          updated_at: now(),
          started_at: now(),
          succeeded_at: now(),
          status: "HEALTHY",
          messages: [],
          version: "1",
        };
        apps.set(a.id, a);
        makeDomain(world.autoDomainName(a.name), a.id, "AUTOASSIGNED");
        send(res, 200, { app: appView(a) });
      },
    ],
    [
      "GET",
      "/v1/apps",
      ({ res, url }) => page(res, "apps", [...apps.values()].filter(nameFilter(url)).map(appView), url),
    ],
    [
      "GET",
      "/v1/apps/:id",
      ({ res, params }) => {
        const a = apps.get(params.id);
        return a ? send(res, 200, { app: appView(a) }) : notFound(res, "App");
      },
    ],
    [
      "DELETE",
      "/v1/apps/:id",
      ({ res, params }) => {
        if (!apps.has(params.id)) return notFound(res, "App");
        // Deleting an app takes its services and domains with it, as on Koyeb.
        for (const s of [...services.values()]) if (s.app_id === params.id) removeService(s.id);
        for (const d of [...domains.values()]) if (d.app_id === params.id) domains.delete(d.id);
        apps.delete(params.id);
        send(res, 200, {});
      },
    ],
    [
      "POST",
      "/v1/domains",
      ({ res, body: raw }) => {
        // Koyeb's own clients create CUSTOM domains here; an app's AUTOASSIGNED one comes with the app.
        const b = body(raw);
        if (!b || typeof b.name !== "string" || !b.name.includes("."))
          return invalid(res, "name", "must be a domain name");
        if (b.app_id !== undefined && !apps.has(b.app_id)) return invalid(res, "app_id", "app not found");
        if ([...domains.values()].some((d) => d.name === b.name)) {
          return koyebError(res, 409, "conflict", `The domain "${b.name}" is already in use`);
        }
        const type = b.type ?? "AUTOASSIGNED";
        if (!["AUTOASSIGNED", "CUSTOM"].includes(type)) return invalid(res, "type", "is invalid");
        send(res, 200, { domain: makeDomain(b.name, b.app_id ?? "", type) });
      },
    ],
    [
      "GET",
      "/v1/domains",
      ({ res, url }) => {
        // ListDomains filters by `app_ids`, `types`, `statuses` (each repeatable) and `name`. Like
        // Koyeb, an unknown parameter such as `app_id` is ignored: the whole organization is listed.
        const ids = url.searchParams.getAll("app_ids");
        const types = url.searchParams.getAll("types");
        const statuses = url.searchParams.getAll("statuses");
        const list = [...domains.values()]
          .filter(nameFilter(url))
          .filter((d) => !ids.length || ids.includes(d.app_id))
          .filter((d) => !types.length || types.includes(d.type))
          .filter((d) => !statuses.length || statuses.includes(d.status));
        page(res, "domains", list, url);
      },
    ],
    [
      "PATCH",
      "/v1/domains/:id",
      ({ res, params, body: raw }) => {
        // UpdateDomain: `subdomain` renames an auto-assigned domain; `app_id` (re)attaches a custom one.
        const d = domains.get(params.id);
        if (!d) return notFound(res, "Domain");
        const b = body(raw);
        if (!b) return invalid(res, "body", "must be a JSON object");
        if (b.subdomain !== undefined) {
          if (d.type !== "AUTOASSIGNED")
            return invalid(res, "subdomain", "only an auto-assigned domain has one");
          if (typeof b.subdomain !== "string" || !NAME_RX.test(b.subdomain))
            return invalid(res, "subdomain", "must be a valid subdomain");
          const name = `${b.subdomain}.${domainSuffix}`;
          if ([...domains.values()].some((x) => x.name === name && x.id !== d.id)) {
            return koyebError(res, 409, "conflict", `The domain "${name}" is already in use`);
          }
          Object.assign(d, { name, updated_at: now() });
        }
        if (b.app_id !== undefined) {
          if (d.type !== "CUSTOM") return invalid(res, "app_id", "only a custom domain can be moved");
          if (b.app_id !== "" && !apps.has(b.app_id)) return invalid(res, "app_id", "app not found");
          Object.assign(d, { app_id: b.app_id, updated_at: now() });
        }
        send(res, 200, { domain: d });
      },
    ],
    [
      "GET",
      "/v1/domains/:id",
      ({ res, params }) => {
        const d = domains.get(params.id);
        return d ? send(res, 200, { domain: d }) : notFound(res, "Domain");
      },
    ],
    [
      "DELETE",
      "/v1/domains/:id",
      ({ res, params }) => {
        if (!domains.delete(params.id)) return notFound(res, "Domain");
        send(res, 200, {});
      },
    ],
    [
      "POST",
      "/v1/services",
      ({ res, body: raw }) => {
        const b = body(raw);
        if (!b || !apps.has(b.app_id)) return invalid(res, "app_id", "app not found");
        // CreateService names the service at its top level; `definition.name` is deprecated (this
        // stand-in accepts only the current form, so a client sending the deprecated one is caught).
        if (typeof b.name !== "string" || !NAME_RX.test(b.name))
          return invalid(res, "name", "must be a valid name");
        const bad = checkDefinition(b.definition);
        if (bad) return invalid(res, ...bad);
        if ([...services.values()].some((s) => s.app_id === b.app_id && s.name === b.name)) {
          return koyebError(res, 409, "conflict", `A service named "${b.name}" already exists in this app`);
        }
        const s = {
          id: crypto.randomUUID(),
          created_at: now(),
          updated_at: now(),
          name: b.name,
          type: b.definition.type ?? "WEB",
          organization_id: organizationId,
          app_id: b.app_id,
          status: "STARTING",
          messages: [],
          version: "1",
          active_deployment_id: "",
          latest_deployment_id: "",
          last_provisioned_deployment_id: "",
          state: {},
        };
        services.set(s.id, s);
        newDeployment(s, { ...b.definition, name: s.name });
        send(res, 200, { service: s });
      },
    ],
    [
      "GET",
      "/v1/services",
      ({ res, url }) => {
        const appId = url.searchParams.get("app_id");
        const list = [...services.values()]
          .filter(nameFilter(url))
          .filter((s) => !appId || s.app_id === appId);
        page(res, "services", list, url);
      },
    ],
    [
      "GET",
      "/v1/services/:id",
      ({ res, params }) => {
        const s = services.get(params.id);
        return s ? send(res, 200, { service: s }) : notFound(res, "Service");
      },
    ],
    ...["PATCH", "PUT"].map((method) => [
      method,
      "/v1/services/:id",
      ({ res, params, body: raw }) => {
        const s = services.get(params.id);
        if (!s) return notFound(res, "Service");
        const b = body(raw);
        const bad = checkDefinition(b?.definition);
        if (bad) return invalid(res, ...bad);
        if (b.definition.name !== undefined && b.definition.name !== s.name)
          return invalid(res, "definition.name", "cannot be changed");
        newDeployment(s, { ...b.definition, name: s.name });
        send(res, 200, { service: s });
      },
    ]),
    [
      "DELETE",
      "/v1/services/:id",
      ({ res, params }) => {
        if (!services.has(params.id)) return notFound(res, "Service");
        removeService(params.id);
        send(res, 200, {});
      },
    ],
    [
      "GET",
      "/v1/deployments/:id",
      ({ res, params }) => {
        const d = deployments.get(params.id);
        if (!d) return notFound(res, "Deployment");
        advance(d);
        send(res, 200, { deployment: d });
      },
    ],
    ["GET", "/v1/streams/logs/query", ({ res, url }) => queryLogs(world.logs, url, res)],
    [
      "POST",
      "/v1/secrets",
      ({ res, body: raw }) => {
        const b = body(raw);
        if (!b || typeof b.name !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(b.name)) {
          return invalid(res, "name", "must be a valid secret name");
        }
        if ([...secrets.values()].some((s) => s.name === b.name)) {
          return koyebError(res, 409, "conflict", `A secret named "${b.name}" already exists`);
        }
        const s = {
          id: crypto.randomUUID(),
          name: b.name,
          organization_id: organizationId,
          created_at: now(),
        };
        const bad = applySecret(s, b);
        if (bad) return invalid(res, ...bad);
        secrets.set(s.id, s);
        send(res, 200, { secret: secretView(s) });
      },
    ],
    [
      "GET",
      "/v1/secrets",
      ({ res, url }) =>
        page(res, "secrets", [...secrets.values()].filter(nameFilter(url)).map(secretView), url),
    ],
    [
      "GET",
      "/v1/secrets/:id",
      ({ res, params }) => {
        const s = secrets.get(params.id);
        return s ? send(res, 200, { secret: secretView(s) }) : notFound(res, "Secret");
      },
    ],
    ...["PATCH", "PUT"].map((method) => [
      method,
      "/v1/secrets/:id",
      ({ res, params, body: raw }) => {
        const s = secrets.get(params.id);
        if (!s) return notFound(res, "Secret");
        const b = body(raw);
        if (!b) return invalid(res, "body", "must be a JSON object");
        if (b.name !== undefined && b.name !== s.name) return invalid(res, "name", "cannot be changed");
        const draft = structuredClone(s);
        const bad = applySecret(draft, b);
        if (bad) return invalid(res, ...bad);
        secrets.set(s.id, draft);
        send(res, 200, { secret: secretView(draft) });
      },
    ]),
    [
      "DELETE",
      "/v1/secrets/:id",
      ({ res, params }) => {
        if (!secrets.delete(params.id)) return notFound(res, "Secret");
        send(res, 200, {});
      },
    ],
  ];

  // Auth and fault injection wrap every API route; control routes under /__dev/ stay open.
  const guarded = guardRoutes(routes, {
    faults,
    refuse: (ctx) => ctx.req.headers.authorization !== `Bearer ${token}`,
    refused: (ctx) => koyebError(ctx.res, 401, "authentication_error", "Request unauthenticated with bearer"),
    failed: (ctx, fault) =>
      koyebError(
        ctx.res,
        fault.status,
        fault.status === 429 ? "rate_limit_error" : fault.status < 500 ? "invalid_argument" : "api_error",
        fault.message ?? "Injected fault",
      ),
  });

  const devRoutes = [
    [
      "GET",
      "/__dev/state",
      ({ res }) =>
        send(res, 200, {
          apps: [...apps.values()].map(appView),
          domains: [...domains.values()],
          services: [...services.values()],
          deployments: [...deployments.values()].map((d) => ({
            id: d.id,
            app_id: d.app_id,
            service_id: d.service_id,
            status: d.status,
            messages: d.messages,
            image: d.definition.docker.image,
            definition: d.definition,
          })),
          secrets: [...secrets.values()].map((s) => ({
            id: s.id,
            name: s.name,
            type: s.type,
            updated_at: s.updated_at,
            ...(s.private_registry
              ? { url: s.private_registry.url, username: s.private_registry.username }
              : {}),
          })),
        }),
    ],
    [
      "GET",
      "/__dev/edge",
      ({ res, url }) => {
        // Koyeb's edge for `?host=<domain>`: the app answers while its service's deployment is
        // HEALTHY (or SLEEPING, woken by the request); an unknown or idle domain is a 404.
        const domain = [...domains.values()].find((d) => d.name === url.searchParams.get("host"));
        const live = [...services.values()]
          .filter((x) => domain && x.app_id === domain.app_id)
          .map((x) => deployments.get(x.active_deployment_id))
          .find((d) => d && ["HEALTHY", "SLEEPING"].includes(d.status));
        if (!live) return send(res, 404, { status: 404, code: "not_found", message: "No active service" });
        send(res, 200, { app: domain.app_id, image: live.definition.docker.image });
      },
    ],
    [
      "POST",
      "/__dev/deployments/:id/status",
      ({ res, params, body: raw }) => {
        // Puts a deployment in any status Koyeb documents, with its messages: { status, messages? }.
        const d = deployments.get(params.id);
        if (!d) return notFound(res, "Deployment");
        const b = body(raw);
        if (!b || !DEPLOYMENT_STATUSES.includes(b.status))
          return invalid(res, "status", "is not a Koyeb status");
        Object.assign(d, { status: b.status, messages: b.messages ?? d.messages, updated_at: now() });
        world.hold(d.id);
        send(res, 200, { deployment: d });
      },
    ],
    [
      "POST",
      "/__dev/deployments/:id/logs",
      ({ res, params, body: raw }) => {
        // Lines the deployment's instance writes: { lines: [{ msg, stream? }], type? }.
        const d = deployments.get(params.id);
        if (!d) return notFound(res, "Deployment");
        const b = body(raw);
        if (!b || !Array.isArray(b.lines) || b.lines.some((l) => typeof l?.msg !== "string"))
          return invalid(res, "lines", "must be a list of { msg, stream? }");
        for (const l of b.lines) world.log(d, l.stream ?? "stdout", l.msg, b.type ?? "runtime");
        send(res, 200, { lines: world.logs.length });
      },
    ],
    ...faults.routes(),
  ];

  return listen(createServer("koyeb", [...devRoutes, ...guarded]), port);
}
