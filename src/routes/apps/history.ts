import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { getHistory } from "../../services/apps/history";
import { HistoryEntrySchema } from "../../services/apps/wire";
import { AppIdParams, intQuery } from "./schemas";

const Query = z.object({
  limit: intQuery(1, 1000, 200).openapi({ param: { in: "query", name: "limit" } }),
  before: z
    .uuid()
    .optional()
    .openapi({
      param: { in: "query", name: "before" },
      description: "A history entry id: answer the entries before it (the `x-next-before` of a page).",
    }),
});

export const HistorySchema = z.array(HistoryEntrySchema).openapi("History");
export type HistoryResponse = z.infer<typeof HistorySchema>;

const route = createRoute({
  method: "get",
  path: "/apps/{id}/history",
  tags: ["Apps"],
  summary: "The app's conversation, oldest first",
  description:
    "The newest `limit` entries before `before` (or the newest overall), oldest first. When older " +
    "entries exist, `x-next-before` names the cursor of the previous page. An unknown `before` is 400.",
  security: BEARER,
  request: { params: AppIdParams, query: Query },
  responses: {
    200: {
      description: "History entries",
      headers: z.object({
        "x-next-before": z
          .string()
          .optional()
          .openapi({ description: "Pass as `before` to get the previous page; absent on the first page." }),
      }),
      content: { "application/json": { schema: HistorySchema } },
    },
    ...problems(400, 401, 404),
  },
});

export const historyRoute = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const page = await getHistory({ ctx: c.var.ctx, input: { appId: id, ...c.req.valid("query") } });
  const headers: Record<string, string> = page.nextBefore ? { "x-next-before": page.nextBefore } : {};
  return c.json(page.entries, 200, headers);
});
