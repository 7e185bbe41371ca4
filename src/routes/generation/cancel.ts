import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { cancelRun } from "../../services/generation/app-events";
import { AppIdParams } from "../apps/schemas";

const Cancelled = z.object({ cancelled: z.boolean() }).openapi("CancelResult");

const route = createRoute({
  method: "post",
  path: "/apps/{id}/cancel",
  tags: ["Generation"],
  summary: "Stop the app's running generation",
  description:
    "Stops a run only while its agent stream is open: the run ends with `error cancelled` then `done`, and " +
    "what was already produced stays stored. After the agent's final event the version goes on to be " +
    "published and this answers 200 `{ cancelled: false }`.",
  security: BEARER,
  request: { params: AppIdParams },
  responses: {
    202: { description: "The run is being stopped", content: { "application/json": { schema: Cancelled } } },
    200: { description: "Nothing to stop", content: { "application/json": { schema: Cancelled } } },
    ...problems(401, 404),
  },
});

export const cancelRoute = createRouter().openapi(route, async (c) => {
  const cancelled = await cancelRun({ ctx: c.var.ctx, input: { appId: c.req.valid("param").id } });
  return cancelled ? c.json({ cancelled: true }, 202) : c.json({ cancelled: false }, 200);
});
