import { describe, expect, it } from "vitest";
import { deleteProject, findProjectByName } from "../../src/clients/neon";
import { ensureNeonDatabase } from "../../src/services/deploy";
import { injectFault, neonConfig, state } from "../helpers/deploy";
import { standInUrl, testContext } from "../helpers/env";

// Facts from Neon's API description (`@neondatabase/api-client`, public-v2-for-users.gen.yaml): a
// personal API key must name the organization (`org_id`) to list or create projects; an org key
// implies it. 423 Locked means an operation still runs on the project: retry later.

const ORG = "org-appbuilder-00000001";
const PERSONAL = "dev-neon-personal-key";
const personal = { ...neonConfig, NEON_API_KEY: PERSONAL };

const neon = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(`${standInUrl("neon")}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("Neon stand-in: organizations and locks", () => {
  it("a personal key without org_id: GET and POST /projects answer 400 org_id is required", async () => {
    expect(await neon("GET", "/projects", PERSONAL)).toEqual({
      status: 400,
      body: { code: "", message: "org_id is required" },
    });
    const created = await neon("POST", "/projects", PERSONAL, { project: { name: "x" } });
    expect(created).toMatchObject({ status: 400, body: { message: "org_id is required" } });
  });

  it("a personal key with org_id, and an org key without it, are both fine", async () => {
    const name = `org-${crypto.randomUUID()}`;
    const a = await neon("POST", "/projects", PERSONAL, { project: { name, org_id: ORG } });
    expect(a).toMatchObject({ status: 201, body: { project: { name, org_id: ORG } } });
    const listed = await neon("GET", `/projects?org_id=${ORG}&search=${name}`, PERSONAL);
    expect((listed.body.projects as { name: string }[]).map((p) => p.name)).toEqual([name]);
    expect((await neon("GET", `/projects?search=${name}`, "test-neon-key")).status).toBe(200);
    const other = await neon("GET", "/projects?org_id=org-someone-else", PERSONAL);
    expect(other.status).toBe(403);
  });
});

describe("our Neon client against those facts", () => {
  it("with a personal key and NEON_ORG_ID, an app gets its database (org_id on list and create)", async () => {
    const appId = crypto.randomUUID();
    const db = await ensureNeonDatabase({
      ctx: testContext({ ...personal, NEON_ORG_ID: ORG }),
      input: { appId },
    });
    expect(db?.connectionUri).toMatch(/^postgresql:\/\//);
    const found = await findProjectByName({ ...personal, NEON_ORG_ID: ORG }, `app-${appId}`);
    expect(found?.id).toBe(db!.projectId);
  });

  it("with a personal key and no NEON_ORG_ID the failure is Neon's 400, not retried", async () => {
    const err = await ensureNeonDatabase({
      ctx: testContext(personal),
      input: { appId: crypto.randomUUID() },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ upstreamStatus: 400, retryable: false });
  });

  it("423 Locked on a delete is retried until the project's operation is done", async () => {
    const appId = crypto.randomUUID();
    const db = await ensureNeonDatabase({ ctx: testContext(neonConfig), input: { appId } });
    const lock = await fetch(`${standInUrl("neon")}/__dev/projects/${db!.projectId}/lock`, {
      method: "POST",
      body: JSON.stringify({ times: 2 }),
    });
    expect(lock.status).toBe(200);
    expect(await deleteProject(neonConfig, db!.projectId)).toBe(true);
    const left = (await state<{ projects: { id: string }[] }>("neon")).projects;
    expect(left.some((p) => p.id === db!.projectId)).toBe(false);
  });

  it("a 423 on create is a retryable failure (the workflow step tries again)", async () => {
    const appId = crypto.randomUUID();
    await injectFault("neon", { match: "POST /api/v2/projects", bodyMatch: appId, status: 423, times: 1 });
    const err = await ensureNeonDatabase({ ctx: testContext(neonConfig), input: { appId } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ upstreamStatus: 423, retryable: true });
  });
});
