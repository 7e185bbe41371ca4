import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { getLimitStatus, limitHeaders } from "../../services/limits/counter";
import { MessageLimitSchema, toMessageLimit } from "../../services/limits/wire";

export const LimitHeadersSchema = z.object({
  "x-dailylimit-limit": z.string().openapi({ description: "Messages allowed per UTC day" }),
  "x-dailylimit-remaining": z.string().openapi({ description: "Messages left today" }),
  "x-dailylimit-usage": z.string().openapi({ description: "Messages counted today" }),
  "x-dailylimit-reset": z.string().openapi({ description: "ISO time of the next reset (UTC midnight)" }),
});

const route = createRoute({
  method: "get",
  path: "/message-limit",
  tags: ["Generation"],
  summary: "The caller's daily message limit and today's usage",
  description:
    "The day is the UTC calendar day. The limit is the caller's custom limit if an admin set one, " +
    "else DAILY_MESSAGE_LIMIT.",
  security: BEARER,
  responses: {
    200: {
      description: "Limit and usage",
      headers: LimitHeadersSchema,
      content: { "application/json": { schema: MessageLimitSchema } },
    },
    ...problems(401, 500, 503),
  },
});

export const messageLimit = createRouter().openapi(route, async (c) => {
  const { ctx } = c.var;
  const s = await getLimitStatus({ ctx, input: { userId: ctx.user.id } });
  return c.json(toMessageLimit(s), 200, limitHeaders(s));
});
