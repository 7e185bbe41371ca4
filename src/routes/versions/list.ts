import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { listVersions, VersionSchema } from "../../services/versions/list";
import { AppIdParams, intQuery } from "../apps/schemas";

const Query = z.object({
  limit: intQuery(1, 200, 50).openapi({ param: { in: "query", name: "limit" } }),
  before: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, "must be a version number")
    .transform(Number)
    .optional()
    .openapi({
      type: "integer",
      minimum: 1,
      param: { in: "query", name: "before" },
      description: "A version number: answer the versions older than it (the `x-next-before` of a page).",
    }),
});

export const VersionsSchema = z.array(VersionSchema).openapi("Versions");

const route = createRoute({
  method: "get",
  path: "/apps/{id}/versions",
  tags: ["Versions"],
  summary: "The app's versions, newest first",
  description:
    "Every version the app's runs and restores made, newest first, `limit` at a time. When older " +
    "versions exist, `x-next-before` names the cursor of the next page. Each version carries its " +
    "change from the version before (`diffStat`: files, insertions, deletions), its commit once " +
    "published, and its latest deployment.",
  security: BEARER,
  request: { params: AppIdParams, query: Query },
  responses: {
    200: {
      description: "Versions",
      headers: z.object({
        "x-next-before": z
          .string()
          .optional()
          .openapi({ description: "Pass as `before` to get the next, older page; absent on the last page." }),
      }),
      content: { "application/json": { schema: VersionsSchema } },
    },
    ...problems(400, 401, 404),
  },
});

export const listVersionsRoute = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const page = await listVersions({ ctx: c.var.ctx, input: { appId: id, ...c.req.valid("query") } });
  const headers: Record<string, string> = page.nextBefore ? { "x-next-before": String(page.nextBefore) } : {};
  return c.json(page.versions, 200, headers);
});
