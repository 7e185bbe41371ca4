import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { createRouter } from "../../lib/router";
import { commitRoutes } from "./commit";
import { createRepoRoutes } from "./create-repo";
import { initialCommitRoutes } from "./initial-commit";

/** The /github routes exist only in development; elsewhere they answer like any unknown path. */
const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.ctx.config.isDevelopment) throw new AppError("not_found", "No such route");
  await next();
});

export const githubRoutes = createRouter();
githubRoutes.use("/github/*", developmentOnly);
githubRoutes.route("/", createRepoRoutes);
githubRoutes.route("/", initialCommitRoutes);
githubRoutes.route("/", commitRoutes);
