// Neon API v2 stand-in: projects with their default branch, role and database, and the connection
// URI a generated app gets. `Authorization: Bearer <api key>` on every call.
import { randomBytes } from "node:crypto";
import { createFaults, guardRoutes } from "./faults.mjs";
import { createServer, INVALID_JSON, json, listen, send } from "./http.mjs";

const ADJECTIVES = ["misty", "quiet", "bold", "snowy", "rapid", "silent", "wild", "young"];
const NOUNS = ["river", "forest", "meadow", "sun", "cloud", "field", "lake", "frost"];
const pick = (list) => list[randomBytes(1)[0] % list.length];
const neonError = (res, status, message, code = "") => send(res, status, { code, message });

/**
 * `apiKey` is an organization key (it implies `orgId`); `personalKey` is a personal key, for which
 * listing and creating projects need `org_id` (Neon answers 400 "org_id is required" without it).
 */
export async function startNeon({
  port = 0,
  apiKey = "dev-neon-key",
  personalKey = "dev-neon-personal-key",
  orgId = "org-appbuilder-00000001",
  regionId = "aws-us-east-2",
} = {}) {
  const projects = new Map();
  /** Project id → how many more mutating requests answer 423 (an operation still running). */
  const locks = new Map();
  const faults = createFaults();
  const now = () => new Date().toISOString();

  const uriOf = (p, pooled = false) => {
    const host = pooled ? p.internal.host.replace(/^(ep-[^.]+)/, "$1-pooler") : p.internal.host;
    return `postgresql://${p.internal.role}:${p.internal.password}@${host}/${p.internal.database}?sslmode=require`;
  };

  function create(res, b) {
    const input = b.project ?? {};
    if (typeof input !== "object" || input === null) return neonError(res, 400, "project must be an object");
    const id = `${pick(ADJECTIVES)}-${pick(NOUNS)}-${(randomBytes(4).readUInt32BE() % 900000) + 100000}`;
    const branchId = `br-${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomBytes(3).toString("hex")}`;
    const endpointId = `ep-${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomBytes(3).toString("hex")}`;
    const region = input.region_id ?? regionId;
    const p = {
      id,
      platform_id: "aws",
      region_id: region,
      name: typeof input.name === "string" && input.name ? input.name : id,
      provisioner: "k8s-neonvm",
      pg_version: input.pg_version ?? 17,
      proxy_host: `${region.replace(/^aws-/, "")}.aws.neon.tech`,
      store_passwords: true,
      creation_source: "console",
      history_retention_seconds: 86400,
      created_at: now(),
      updated_at: now(),
      owner_id: "org-stand-in",
      org_id: orgId,
      internal: {
        branchId,
        endpointId,
        host: `${endpointId}.${region.replace(/^aws-/, "")}.aws.neon.tech`,
        role: "neondb_owner",
        database: "neondb",
        password: `npg_${randomBytes(9).toString("base64url")}`,
      },
    };
    projects.set(id, p);
    const view = projectView(p);
    const i = p.internal;
    send(res, 201, {
      project: view,
      connection_uris: [
        {
          connection_uri: uriOf(p),
          connection_parameters: {
            database: i.database,
            password: i.password,
            role: i.role,
            host: i.host,
            pooler_host: i.host.replace(/^(ep-[^.]+)/, "$1-pooler"),
          },
        },
      ],
      roles: [
        {
          branch_id: i.branchId,
          name: i.role,
          password: i.password,
          protected: false,
          created_at: now(),
          updated_at: now(),
        },
      ],
      databases: [
        {
          id: 1,
          branch_id: i.branchId,
          name: i.database,
          owner_name: i.role,
          created_at: now(),
          updated_at: now(),
        },
      ],
      operations: [
        {
          id: crypto.randomUUID(),
          project_id: id,
          branch_id: i.branchId,
          action: "create_timeline",
          status: "running",
          failures_count: 0,
          created_at: now(),
          updated_at: now(),
          total_duration_ms: 0,
        },
        {
          id: crypto.randomUUID(),
          project_id: id,
          branch_id: i.branchId,
          endpoint_id: i.endpointId,
          action: "start_compute",
          status: "scheduling",
          failures_count: 0,
          created_at: now(),
          updated_at: now(),
          total_duration_ms: 0,
        },
      ],
      branch: {
        id: i.branchId,
        project_id: id,
        name: "main",
        current_state: "init",
        state_changed_at: now(),
        creation_source: "console",
        default: true,
        protected: false,
        cpu_used_sec: 0,
        active_time_seconds: 0,
        compute_time_seconds: 0,
        written_data_bytes: 0,
        data_transfer_bytes: 0,
        created_at: now(),
        updated_at: now(),
      },
      endpoints: [
        {
          id: i.endpointId,
          host: i.host,
          project_id: id,
          branch_id: i.branchId,
          region_id: region,
          type: "read_write",
          current_state: "init",
          autoscaling_limit_min_cu: 0.25,
          autoscaling_limit_max_cu: 0.25,
          pooler_enabled: false,
          pooler_mode: "transaction",
          disabled: false,
          passwordless_access: true,
          creation_source: "console",
          settings: {},
          proxy_host: p.proxy_host,
          suspend_timeout_seconds: 0,
          provisioner: p.provisioner,
          created_at: now(),
          updated_at: now(),
        },
      ],
    });
  }

  // The fields Neon's description requires of a Project (and of a list item), with a new project's
  // zero consumption.
  const projectView = (p) => {
    const { internal, ...rest } = p;
    return {
      ...rest,
      default_endpoint_settings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 0.25 },
      consumption_period_start: p.created_at,
      consumption_period_end: new Date(Date.parse(p.created_at) + 30 * 86_400_000).toISOString(),
      active_time_seconds: 0,
      active_time: 0,
      compute_time_seconds: 0,
      written_data_bytes: 0,
      data_transfer_bytes: 0,
      data_storage_bytes_hour: 0,
      branch_logical_size_limit: 0,
      branch_logical_size_limit_bytes: 0,
      cpu_used_sec: 0,
    };
  };

  /** The org rules for listing and creating projects; true when the request was answered (refused). */
  const orgRefused = (req, res, requested) => {
    const personal = req.headers.authorization === `Bearer ${personalKey}`;
    if (requested !== undefined && (typeof requested !== "string" || !/^[a-z0-9-]{1,60}$/.test(requested))) {
      neonError(res, 400, "org_id: does not match the pattern ^[a-z0-9-]{1,60}$");
      return true;
    }
    if (personal && requested === undefined) {
      neonError(res, 400, "org_id is required");
      return true;
    }
    if (requested !== undefined && requested !== orgId) {
      neonError(res, 403, "you do not have access to this organization");
      return true;
    }
    return false;
  };
  /** A mutating request on a locked project: 423, as while another operation runs on it. */
  const locked = (res, id) => {
    const left = locks.get(id) ?? 0;
    if (left <= 0) return false;
    locks.set(id, left - 1);
    neonError(res, 423, "project already has running operations, scheduling of new ones is prohibited");
    return true;
  };

  const routes = [
    [
      "POST",
      "/api/v2/projects",
      ({ req, res, body }) => {
        const b = body.length ? json(body) : {};
        if (b === INVALID_JSON || typeof b !== "object" || b === null)
          return neonError(res, 400, "request body must be JSON");
        if (orgRefused(req, res, b.project?.org_id)) return;
        create(res, b);
      },
    ],
    [
      "GET",
      "/api/v2/projects",
      ({ req, res, url }) => {
        if (orgRefused(req, res, url.searchParams.get("org_id") ?? undefined)) return;
        const search = url.searchParams.get("search") ?? "";
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 10) || 10, 400);
        // Neon's search matches part of a name or id, so a client must compare names itself.
        const list = [...projects.values()].filter(
          (p) => !search || p.name.includes(search) || p.id.includes(search),
        );
        const shown = list.slice(0, limit);
        send(res, 200, {
          projects: shown.map(projectView),
          // Neon's cursor is the last project listed (at least one character): none for an empty page.
          ...(shown.length ? { pagination: { cursor: shown.at(-1).id } } : {}),
          applications: {},
          integrations: {},
        });
      },
    ],
    [
      "GET",
      "/api/v2/projects/:id",
      ({ res, params }) => {
        const p = projects.get(params.id);
        return p ? send(res, 200, { project: projectView(p) }) : neonError(res, 404, "project not found");
      },
    ],
    [
      "GET",
      "/api/v2/projects/:id/connection_uri",
      ({ res, params, url }) => {
        const p = projects.get(params.id);
        if (!p) return neonError(res, 404, "project not found");
        const db = url.searchParams.get("database_name");
        const role = url.searchParams.get("role_name");
        if (!db || !role) return neonError(res, 400, "database_name and role_name are required");
        if (db !== p.internal.database) return neonError(res, 404, "database not found");
        if (role !== p.internal.role) return neonError(res, 404, "role not found");
        send(res, 200, { uri: uriOf(p, url.searchParams.get("pooled") === "true") });
      },
    ],
    [
      "DELETE",
      "/api/v2/projects/:id",
      ({ res, params }) => {
        const p = projects.get(params.id);
        if (!p) return neonError(res, 404, "project not found");
        if (locked(res, p.id)) return;
        projects.delete(params.id);
        send(res, 200, { project: projectView(p) });
      },
    ],
  ];

  // Every API exchange, for the conformance test that judges them against Neon's OpenAPI description.
  let exchanges = [];
  const record = (ctx) => {
    const entry = {
      method: ctx.req.method,
      path: ctx.url.pathname,
      query: Object.fromEntries(ctx.url.searchParams),
      request: ctx.body.length ? json(ctx.body) : undefined,
    };
    const end = ctx.res.end.bind(ctx.res);
    ctx.res.end = (data, ...rest) => {
      entry.status = ctx.res.statusCode;
      entry.response = data ? json(Buffer.isBuffer(data) ? data : Buffer.from(String(data))) : undefined;
      exchanges = [...exchanges.slice(-499), entry];
      return end(data, ...rest);
    };
  };

  const guarded = guardRoutes(routes, {
    faults,
    before: record,
    refuse: (ctx) =>
      ctx.req.headers.authorization !== `Bearer ${apiKey}` &&
      ctx.req.headers.authorization !== `Bearer ${personalKey}`,
    refused: (ctx) => neonError(ctx.res, 401, "authentication required"),
    failed: (ctx, fault) => neonError(ctx.res, fault.status, fault.message ?? "injected fault"),
  });

  const devRoutes = [
    [
      "GET",
      "/__dev/state",
      ({ res }) =>
        send(res, 200, {
          projects: [...projects.values()].map((p) => ({ id: p.id, name: p.name, host: p.internal.host })),
        }),
    ],
    ["GET", "/__dev/exchanges", ({ res }) => send(res, 200, { exchanges })],
    [
      "POST",
      "/__dev/projects/:id/lock",
      ({ res, params, body }) => {
        // The next `times` mutating requests on the project answer 423 Locked: { times }.
        const b = json(body);
        if (!projects.has(params.id)) return neonError(res, 404, "project not found");
        locks.set(params.id, Number.isInteger(b?.times) ? b.times : 1);
        send(res, 200, { locked: locks.get(params.id) });
      },
    ],
    ...faults.routes(),
  ];

  return listen(createServer("neon", [...devRoutes, ...guarded]), port);
}
