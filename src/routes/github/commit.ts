import { createRoute } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { CommitSchema, devCommit } from "../../services/github/dev-actions";
import { OrgCommitSchema, UserCommitSchema } from "./schemas";

const created = {
  description: "The commit, fast-forwarded onto the branch",
  content: { "application/json": { schema: CommitSchema } },
};
const common = { method: "post" as const, tags: ["GitHub (development only)"], security: BEARER };
const description =
  "Applies `files` (added or changed) and `deletedPaths` to the branch head in one commit. A branch " +
  "moved meanwhile is 409 `github_conflict`; it is never force-pushed.";

const userRoute = createRoute({
  ...common,
  path: "/github/user/commit",
  summary: "Commits changes to a repository in the caller's account (development only)",
  description,
  request: { body: { required: true, content: { "application/json": { schema: UserCommitSchema } } } },
  responses: { 201: created, ...problems(400, 401, 404, 409, 502, 503) },
});

const orgRoute = createRoute({
  ...common,
  path: "/github/org/commit",
  summary: "Commits changes to a repository in an org (development only)",
  description,
  request: { body: { required: true, content: { "application/json": { schema: OrgCommitSchema } } } },
  responses: { 201: created, ...problems(400, 401, 404, 409, 502, 503) },
});

export const commitRoutes = createRouter()
  .openapi(userRoute, async (c) =>
    c.json(
      await devCommit({ ctx: c.var.ctx, input: { target: { mode: "user" }, ...c.req.valid("json") } }),
      201,
    ),
  )
  .openapi(orgRoute, async (c) => {
    const { owner, ...input } = c.req.valid("json");
    return c.json(
      await devCommit({ ctx: c.var.ctx, input: { target: { mode: "org", owner }, ...input } }),
      201,
    );
  });
