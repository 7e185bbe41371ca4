import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { callJson, expectProblem } from "./helpers/api";
import {
  authenticatedRoutes,
  fillPath,
  hasOwnedParam,
  REFUSED_TOKENS,
  type RouteRef,
} from "./helpers/auth-matrix";
import { useTestDb } from "./helpers/db";
import { addDeployment, createApp as createAppRow } from "./helpers/factories";
import { createUser } from "./helpers/users";

// Every authenticated route, listed from the router: each refused credential is a 401, and where
// the route names a resource, another user's answers exactly like a missing one (404).

const db = useTestDb();
const routes = authenticatedRoutes();
const label = (r: RouteRef) => `${r.method} ${r.path}`;

async function ownedResources() {
  const owner = await createUser();
  const app = await createAppRow(db, owner.id);
  const deployment = await addDeployment(db, app.id, owner.id);
  return { owner, ids: { id: app.id, deploymentId: deployment.id, version: "1" } };
}

describe("auth matrix", () => {
  it("lists every route the router holds, and the OpenAPI document marks each as authenticated", async () => {
    expect(routes.length).toBeGreaterThan(0);
    const r = await callJson<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(
      "GET",
      "/openapi.json",
    );
    const documented = Object.entries(r.body.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => (op.security ?? []).length > 0)
        .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`),
    );
    expect(routes.map(label).sort()).toEqual(documented.sort());
    expect(createApp().routes.length).toBeGreaterThan(routes.length);
  });

  describe.each(REFUSED_TOKENS)("%s is 401 unauthorized", (_name, make) => {
    it.each(routes.map((r) => [label(r), r] as const))("%s", async (_label, route) => {
      const user = await createUser();
      const token = await make(user.id);
      const path = fillPath(route.path, {});
      expectProblem(await callJson(route.method, path, token ? { token } : {}), 401, "unauthorized");
    });
  });

  const owned = routes.filter(hasOwnedParam);
  it.each(owned.map((r) => [label(r), r] as const))(
    "%s: another user's resource is 404 not_found",
    async (_label, route) => {
      const { owner, ids } = await ownedResources();
      const stranger = await createUser();
      const path = fillPath(route.path, ids);
      expectProblem(await callJson(route.method, path, { token: stranger.token }), 404, "not_found");
      // The same request finds the resource for its owner (a delete is not repeated).
      if (route.method !== "DELETE") {
        const mine = await callJson<{ code?: string } | undefined>(route.method, path, {
          token: owner.token,
        });
        expect(mine.body?.code).not.toBe("not_found");
      }
    },
  );
});
