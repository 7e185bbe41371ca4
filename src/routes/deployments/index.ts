import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems, UuidParam } from "../../lib/router";
import { DeploymentSchema } from "../../services/apps/wire";
import { deploymentStatus, LegacyStatusSchema, listDeployments } from "../../services/deployments/read";
import { AppIdParams } from "../apps/schemas";
import { logsRoute } from "./logs";

const list = createRoute({
  method: "get",
  path: "/apps/{id}/deployments",
  tags: ["Deployments"],
  summary: "The app's deployments, newest first",
  description:
    "One per published version. `status`: queued → building → deploying → healthy | failed (with " +
    "`reason`), or cancelled (`reason: superseded` when a newer version's deployment took over). " +
    "`healthy` only once Koyeb reports the deployment healthy.",
  security: BEARER,
  request: { params: AppIdParams },
  responses: {
    200: {
      description: "Deployments",
      content: { "application/json": { schema: z.array(DeploymentSchema) } },
    },
    ...problems(401, 404),
  },
});

const status = createRoute({
  method: "get",
  path: "/deployment-status/{deploymentId}",
  tags: ["Deployments"],
  summary: "A deployment's status in the older shape some clients poll (read-only)",
  description:
    "queued/building/deploying → DEPLOYMENT_IN_PROGRESS, healthy → HEALTHY, failed → ERROR, cancelled → " +
    "STOPPING. Another user's deployment answers 404.",
  security: BEARER,
  request: { params: z.object({ deploymentId: UuidParam }) },
  responses: {
    200: { description: "Status", content: { "application/json": { schema: LegacyStatusSchema } } },
    ...problems(401, 404),
  },
});

export const deploymentsRoutes = createRouter()
  .openapi(list, async (c) =>
    c.json(await listDeployments({ ctx: c.var.ctx, input: { appId: c.req.valid("param").id } }), 200),
  )
  .openapi(status, async (c) =>
    c.json(await deploymentStatus({ ctx: c.var.ctx, input: c.req.valid("param") }), 200),
  )
  .route("/", logsRoute);
