import { sessionStub, startAppDeletion } from "../../bindings";
import type { ServiceContext } from "../../context";
import { apps } from "../../db/schema";
import { AppError } from "../../errors";
import { ownedLiveApp } from "./get-owned-app";

/**
 * Soft-deletes the app in this request (it vanishes from every read at once), stops a running
 * generation, and hands the clean-up to DeleteAppWorkflow. The daily message count is untouched.
 */
export async function deleteApp({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user" | "env">;
  input: { appId: string };
}): Promise<void> {
  const { user } = ctx;
  const { appId } = input;
  const [row] = await ctx.db
    .update(apps)
    .set({ deletedAt: new Date(), updatedAt: new Date() })
    .where(ownedLiveApp(appId, user.id))
    .returning({ id: apps.id });
  if (!row) throw new AppError("not_found", "No such app");
  await sessionStub(ctx.env, appId)
    .markDeleted()
    .catch((err) => ctx.logger.warn("could not stop the run at once; the workflow will", { err }));
  await startAppDeletion(ctx.env, { appId, ownerId: user.id }).catch((err) => {
    throw new AppError("upstream_unavailable", "The clean-up could not be started", { cause: err });
  });
}
