import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { removeCustomLimit, setCustomLimit } from "../../services/limits/custom-limits";
import { readUserMessageLimit, UserMessageLimitSchema } from "../../services/limits/wire";

const UserIdParam = z
  .string()
  .min(1)
  .max(128)
  .openapi({ param: { in: "path" }, description: "A Stack user id", example: "dev-user" });
const Params = z.object({ userId: UserIdParam });

export const SetMessageLimitSchema = z
  .object({ dailyLimit: z.number().int().min(1).max(10_000) })
  .openapi("SetMessageLimit");

const ok = {
  description: "The user's limit and today's usage",
  content: { "application/json": { schema: UserMessageLimitSchema } },
};
const path = "/admin/users/{userId}/message-limit";
const common = { path, tags: ["Admin"], security: BEARER, request: { params: Params } };

const getRoute = createRoute({
  ...common,
  method: "get",
  summary: "A user's daily message limit and today's usage (employees only)",
  responses: { 200: ok, ...problems(401, 403, 404) },
});

const putRoute = createRoute({
  ...common,
  method: "put",
  summary: "Sets a user's custom daily message limit (employees only)",
  request: {
    params: Params,
    body: { required: true, content: { "application/json": { schema: SetMessageLimitSchema } } },
  },
  responses: { 200: ok, ...problems(400, 401, 403, 404, 413) },
});

const deleteRoute = createRoute({
  ...common,
  method: "delete",
  summary: "Removes a user's custom limit; DAILY_MESSAGE_LIMIT applies again (employees only)",
  responses: { 204: { description: "Removed (also when there was none)" }, ...problems(401, 403, 404) },
});

export const userMessageLimit = createRouter()
  .openapi(getRoute, async (c) =>
    c.json(await readUserMessageLimit({ ctx: c.var.ctx, input: c.req.valid("param") }), 200),
  )
  .openapi(putRoute, async (c) => {
    const { ctx } = c.var;
    const { userId } = c.req.valid("param");
    await setCustomLimit({ ctx, input: { userId, dailyLimit: c.req.valid("json").dailyLimit } });
    return c.json(await readUserMessageLimit({ ctx, input: { userId } }), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await removeCustomLimit({ ctx: c.var.ctx, input: c.req.valid("param") });
    return c.body(null, 204);
  });
