import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import specText from "../../node_modules/@neondatabase/api-client/public-v2-for-users.gen.yaml?raw";
import { deleteProject, findProjectByName, getConnectionUri, getProject } from "../../src/clients/neon";
import { ensureNeonDatabase } from "../../src/services/deploy";
import { injectFault, neonConfig } from "../helpers/deploy";
import { standInUrl, testContext } from "../helpers/env";
import { createJudge, type Exchange } from "./openapi";

// Neon's own OpenAPI description (shipped in @neondatabase/api-client) judges every request our
// client sends to the Neon stand-in and every answer the stand-in gives.

const judge = createJudge(parse(specText), "/api/v2");
const ORG = "org-appbuilder-00000001";

async function exchangesAbout(marker: string): Promise<Exchange[]> {
  const res = await fetch(`${standInUrl("neon")}/__dev/exchanges`);
  const { exchanges } = (await res.json()) as { exchanges: Exchange[] };
  return exchanges.filter((x) => JSON.stringify(x).includes(marker));
}

describe("Neon: client and stand-in judged by Neon's OpenAPI description", () => {
  it("every call of an app's database life (create, find, read, connect, delete, errors) fits the description", async () => {
    const appId = crypto.randomUUID();
    const org = { ...neonConfig, NEON_ORG_ID: ORG };
    const db = await ensureNeonDatabase({ ctx: testContext(org), input: { appId } });
    const again = await ensureNeonDatabase({
      ctx: testContext(org),
      input: { appId, existingProjectId: db!.projectId },
    });
    expect(again).toEqual(db);
    expect((await findProjectByName(org, `app-${appId}`))?.id).toBe(db!.projectId);
    expect((await getProject(org, db!.projectId))?.name).toBe(`app-${appId}`);
    expect(await getConnectionUri(org, db!.projectId)).toBe(db!.connectionUri);
    await injectFault("neon", { match: `DELETE /api/v2/projects/${db!.projectId}`, status: 423, times: 1 });
    expect(await deleteProject(org, db!.projectId)).toBe(true);
    expect(await deleteProject(org, db!.projectId)).toBe(false);
    expect(await getProject(org, db!.projectId)).toBeNull();

    const seen = [...(await exchangesAbout(appId)), ...(await exchangesAbout(db!.projectId))];
    const unique = [...new Map(seen.map((x) => [JSON.stringify(x), x])).values()];
    expect(unique.map((x) => `${x.method} ${x.path.replace(db!.projectId, "{id}")} ${x.status}`)).toEqual(
      expect.arrayContaining([
        "POST /api/v2/projects 201",
        "GET /api/v2/projects 200",
        "GET /api/v2/projects/{id} 200",
        "GET /api/v2/projects/{id}/connection_uri 200",
        "DELETE /api/v2/projects/{id} 423",
        "DELETE /api/v2/projects/{id} 200",
        "DELETE /api/v2/projects/{id} 404",
        "GET /api/v2/projects/{id} 404",
      ]),
    );
    expect(unique.flatMap(judge)).toEqual([]);
  });

  it("the judge catches drift: an unknown query parameter, a bad body, an answer missing its fields", () => {
    expect(
      judge({ method: "GET", path: "/api/v2/projects", query: { app_id: "x" }, status: 200, response: {} }),
    ).toEqual([
      "GET /projects: query parameter app_id is not in the description",
      'GET /projects → 200: # Instance does not have required property "projects".',
      'GET /projects → 200: # Instance does not have required property "applications".',
      'GET /projects → 200: # Instance does not have required property "integrations".',
    ]);
    const badBody = judge({
      method: "POST",
      path: "/api/v2/projects",
      query: {},
      request: { project: { org_id: "Not An Org" } },
      status: 201,
      response: { project: { id: "p" } },
    });
    expect(badBody.some((p) => p.includes("request"))).toBe(true);
    expect(badBody.some((p) => p.includes("→ 201"))).toBe(true);
    expect(judge({ method: "PUT", path: "/api/v2/projects", query: {}, status: 200 })).toEqual([
      "PUT /projects: no such operation",
    ]);
  });
});
