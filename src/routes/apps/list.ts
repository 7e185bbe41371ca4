import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { listApps } from "../../services/apps/list-apps";
import { AppSummarySchema } from "../../services/apps/wire";
import { limitHeaders } from "../../services/limits/counter";
import { LimitHeadersSchema } from "../limits/get";
import { intQuery } from "./schemas";

const Query = z.object({
  page: intQuery(1, 1_000_000, 1).openapi({ param: { in: "query", name: "page" } }),
  limit: intQuery(1, 100, 10).openapi({ param: { in: "query", name: "limit" } }),
});

export const ListAppsSchema = z
  .object({
    data: z.array(AppSummarySchema),
    pagination: z.object({
      total: z.number().int(),
      page: z.number().int(),
      limit: z.number().int(),
      totalPages: z.number().int(),
    }),
  })
  .openapi("AppList");
export type ListAppsResponse = z.infer<typeof ListAppsSchema>;

const route = createRoute({
  method: "get",
  path: "/apps",
  tags: ["Apps"],
  summary: "The caller's apps, newest first",
  description: "Deleted apps are left out. Carries the caller's daily-limit headers.",
  security: BEARER,
  request: { query: Query },
  responses: {
    200: {
      description: "A page of apps",
      headers: LimitHeadersSchema,
      content: { "application/json": { schema: ListAppsSchema } },
    },
    ...problems(400, 401),
  },
});

export const listAppsRoute = createRouter().openapi(route, async (c) => {
  const { limits, ...body } = await listApps({ ctx: c.var.ctx, input: c.req.valid("query") });
  return c.json(body, 200, limitHeaders(limits));
});
