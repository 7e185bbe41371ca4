import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { createRouter } from "../../lib/router";
import { commitRoutes } from "./commit";
import { createRepoRoutes } from "./create-repo";
import { initialCommitRoutes } from "./initial-commit";

/** Where the development-only routes live (left out of the production OpenAPI document too). */
export const DEV_ROUTE_PREFIX = "/github";

/**
 * The /github routes exist only in development; elsewhere they answer like any unknown path,
 * before authentication (mounted ahead of it), so they reveal nothing to anyone.
 */
export const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if ((c.env.ENVIRONMENT as string) !== "development") throw new AppError("not_found", "No such route");
  await next();
});

export const githubRoutes = createRouter();
githubRoutes.route("/", createRepoRoutes);
githubRoutes.route("/", initialCommitRoutes);
githubRoutes.route("/", commitRoutes);
