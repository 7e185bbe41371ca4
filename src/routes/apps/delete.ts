import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { deleteApp } from "../../services/apps/delete-app";
import { AppIdParams } from "./schemas";

const Deleting = z.object({ id: z.uuid(), status: z.literal("deleting") }).openapi("AppDeleting");

const route = createRoute({
  method: "delete",
  path: "/apps/{id}",
  tags: ["Apps"],
  summary: "Delete an app and everything it created",
  description:
    "The app disappears from every read at once. A running generation is cancelled; then, in a durable " +
    "background job, the deployed service and domain, container images and registry repository, stored " +
    "files and per-app database are removed, and a platform-owned GitHub repository is archived (a " +
    "repository in the user's own account is left to the user). A second call answers 404. Deleting " +
    "does not give back messages counted today.",
  security: BEARER,
  request: { params: AppIdParams },
  responses: {
    202: { description: "Deletion started", content: { "application/json": { schema: Deleting } } },
    ...problems(401, 404),
  },
});

export const deleteAppRoute = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  await deleteApp({ ctx: c.var.ctx, input: { appId: id } });
  return c.json({ id, status: "deleting" as const }, 202);
});
