import { createRoute } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { getApp } from "../../services/apps/get-app";
import { AppSchema } from "../../services/apps/wire";
import { AppIdParams } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/apps/{id}",
  tags: ["Apps"],
  summary: "One of the caller's apps, with its latest deployment",
  description: "Another user's app, a deleted app and a non-UUID id all answer 404 `not_found`.",
  security: BEARER,
  request: { params: AppIdParams },
  responses: {
    200: { description: "The app", content: { "application/json": { schema: AppSchema } } },
    ...problems(401, 404),
  },
});

export const getAppRoute = createRouter().openapi(route, async (c) =>
  c.json(await getApp({ ctx: c.var.ctx, input: { appId: c.req.valid("param").id } }), 200),
);
