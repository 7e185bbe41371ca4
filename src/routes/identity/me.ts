import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { getProfile } from "../../services/identity/profile";

export const MeSchema = z
  .object({
    id: z.string().openapi({ description: "The Stack user id (the token's `sub`)." }),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    githubUsername: z
      .string()
      .nullable()
      .openapi({ description: "The GitHub login, or null when the user has no GitHub connection." }),
    isNeonEmployee: z.boolean(),
  })
  .openapi("Me");
export type MeResponse = z.infer<typeof MeSchema>;

const route = createRoute({
  method: "get",
  path: "/me",
  tags: ["Identity"],
  summary: "The caller's profile",
  description:
    "Profile data from Stack Auth and GitHub, fetched on a cache miss and kept for an hour. " +
    "When Stack or GitHub is down, a cached profile still answers; without one the answer is 503.",
  security: BEARER,
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: MeSchema } } },
    ...problems(401, 503),
  },
});

export const me = createRouter().openapi(route, async (c) => {
  const { ctx } = c.var;
  const { user } = ctx;
  const p = await getProfile({ ctx });
  const body: MeResponse = {
    id: p.id,
    email: p.email ?? user.email,
    displayName: p.displayName ?? user.displayName,
    githubUsername: p.githubLogin,
    isNeonEmployee: p.isEmployee,
  };
  return c.json(body, 200);
});
