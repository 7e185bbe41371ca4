import { createRoute } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { devCreateRepo, RepositorySchema } from "../../services/github/dev-actions";
import { OrgCreateRepoSchema, UserCreateRepoSchema } from "./schemas";

const created = {
  description: "The repository, created with an initial commit (auto-init)",
  content: { "application/json": { schema: RepositorySchema } },
};
const common = { method: "post" as const, tags: ["GitHub (development only)"], security: BEARER };

const userRoute = createRoute({
  ...common,
  path: "/github/user/create-repo",
  summary: "Creates a repository in the caller's GitHub account (development only)",
  description: "Acts with the caller's GitHub token; 400 `github_not_connected` without a GitHub connection.",
  request: { body: { required: true, content: { "application/json": { schema: UserCreateRepoSchema } } } },
  responses: { 201: created, ...problems(400, 401, 404, 502, 503) },
});

const orgRoute = createRoute({
  ...common,
  path: "/github/org/create-repo",
  summary: "Creates a repository in an org through the platform's GitHub App (development only)",
  request: { body: { required: true, content: { "application/json": { schema: OrgCreateRepoSchema } } } },
  responses: { 201: created, ...problems(400, 401, 404, 502, 503) },
});

export const createRepoRoutes = createRouter()
  .openapi(userRoute, async (c) =>
    c.json(
      await devCreateRepo({ ctx: c.var.ctx, input: { target: { mode: "user" }, ...c.req.valid("json") } }),
      201,
    ),
  )
  .openapi(orgRoute, async (c) => {
    const { owner, ...input } = c.req.valid("json");
    return c.json(
      await devCreateRepo({ ctx: c.var.ctx, input: { target: { mode: "org", owner }, ...input } }),
      201,
    );
  });
