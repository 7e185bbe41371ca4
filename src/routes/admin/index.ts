import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { createRouter } from "../../lib/router";
import { isEmployee } from "../../services/identity/profile";
import { userMessageLimit } from "./message-limit";

/** Every /admin route is for employees only; anyone else gets 403 before any validation. */
const employeesOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!(await isEmployee({ ctx: c.var.ctx }))) {
    throw new AppError("forbidden", "This route is for employees only");
  }
  await next();
});

export const adminRoutes = createRouter();
adminRoutes.use("/admin/*", employeesOnly);
adminRoutes.route("/", userMessageLimit);
