import { type Config, need } from "../config";
import { isNotFound, requestJson, UpstreamError } from "./upstream";

// The Neon API (v2): one project per generated app, holding the app's database. Shapes follow
// Neon's OpenAPI description (`public-v2-for-users.gen.yaml` in `@neondatabase/api-client`).

const TIMEOUT_MS = 20_000;
const RETRIES = 2;
/** The database and role Neon creates in a new project. */
export const NEON_DATABASE = "neondb";
export const NEON_ROLE = "neondb_owner";

export interface NeonProject {
  id: string;
  name: string;
  region_id: string;
  created_at: string;
}

interface NeonCreateProjectBody {
  project: NeonProject;
  connection_uris?: { connection_uri: string }[];
}

function neon<T>(
  config: Config,
  operation: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return requestJson<T>({
    service: "neon",
    operation,
    url: `${config.NEON_API_URL.replace(/\/+$/, "")}/api/v2${path}`,
    method,
    headers: { authorization: `Bearer ${need(config, "NEON_API_KEY")}` },
    body,
    timeoutMs: TIMEOUT_MS,
    retries: method === "GET" || method === "DELETE" ? RETRIES : 0,
    readError: (raw) => {
      const b = raw as { code?: string; message?: string };
      return { code: b.code ?? "", message: b.message ?? "" };
    },
    // 423: the project is busy with another operation; trying again shortly succeeds.
    alsoRetryable: [423],
  });
}

/** Creates a project; answers it with the connection URI of its default database. */
export async function createProject(
  config: Config,
  input: { name: string; regionId?: string },
): Promise<{ project: NeonProject; connectionUri: string }> {
  // `org_id` names the organization for a personal API key (an org key implies it).
  const body = {
    project: {
      name: input.name,
      ...(input.regionId ? { region_id: input.regionId } : {}),
      ...(config.NEON_ORG_ID ? { org_id: config.NEON_ORG_ID } : {}),
    },
  };
  const out = await neon<NeonCreateProjectBody>(config, "CreateProject", "POST", "/projects", body);
  const connectionUri = out.connection_uris?.[0]?.connection_uri;
  if (!connectionUri) {
    throw new UpstreamError("neon", "CreateProject", {
      status: 201,
      code: "",
      message: "the answer holds no connection URI",
      retryable: false,
    });
  }
  return { project: out.project, connectionUri };
}

export async function getProject(config: Config, id: string): Promise<NeonProject | null> {
  try {
    const out = await neon<{ project: NeonProject }>(
      config,
      "GetProject",
      "GET",
      `/projects/${encodeURIComponent(id)}`,
    );
    return out.project;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The project with exactly this name (Neon's search matches parts of names), or null. */
export async function findProjectByName(config: Config, name: string): Promise<NeonProject | null> {
  const params = {
    search: name,
    limit: "100",
    ...(config.NEON_ORG_ID ? { org_id: config.NEON_ORG_ID } : {}),
  };
  const path = `/projects?${new URLSearchParams(params)}`;
  const out = await neon<{ projects: NeonProject[] }>(config, "ListProjects", "GET", path);
  return out.projects.find((p) => p.name === name) ?? null;
}

/** The connection URI of the project's default database and role. */
export async function getConnectionUri(config: Config, id: string): Promise<string> {
  const params = new URLSearchParams({ database_name: NEON_DATABASE, role_name: NEON_ROLE });
  const path = `/projects/${encodeURIComponent(id)}/connection_uri?${params}`;
  return (await neon<{ uri: string }>(config, "GetConnectionURI", "GET", path)).uri;
}

/** Deletes a project; false when it did not exist. */
export async function deleteProject(config: Config, id: string): Promise<boolean> {
  try {
    await neon(config, "DeleteProject", "DELETE", `/projects/${encodeURIComponent(id)}`);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
