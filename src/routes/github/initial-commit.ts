import { createRoute } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { CommitSchema, devInitialCommit } from "../../services/github/dev-actions";
import { OrgInitialCommitSchema, UserInitialCommitSchema } from "./schemas";

const created = {
  description: "The commit: a root commit that replaces GitHub's auto-init commit",
  content: { "application/json": { schema: CommitSchema } },
};
const common = { method: "post" as const, tags: ["GitHub (development only)"], security: BEARER };

const userRoute = createRoute({
  ...common,
  path: "/github/user/initial-commit",
  summary: "Commits a repository's first files in the caller's account (development only)",
  request: { body: { required: true, content: { "application/json": { schema: UserInitialCommitSchema } } } },
  responses: { 201: created, ...problems(400, 401, 404, 409, 502, 503) },
});

const orgRoute = createRoute({
  ...common,
  path: "/github/org/initial-commit",
  summary: "Commits a repository's first files in an org (development only)",
  request: { body: { required: true, content: { "application/json": { schema: OrgInitialCommitSchema } } } },
  responses: { 201: created, ...problems(400, 401, 404, 409, 502, 503) },
});

export const initialCommitRoutes = createRouter()
  .openapi(userRoute, async (c) =>
    c.json(
      await devInitialCommit({ ctx: c.var.ctx, input: { target: { mode: "user" }, ...c.req.valid("json") } }),
      201,
    ),
  )
  .openapi(orgRoute, async (c) => {
    const { owner, ...input } = c.req.valid("json");
    return c.json(
      await devInitialCommit({ ctx: c.var.ctx, input: { target: { mode: "org", owner }, ...input } }),
      201,
    );
  });
