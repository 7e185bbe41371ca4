import { z } from "@hono/zod-openapi";
import { and, desc, eq, isNull } from "drizzle-orm";
import { type ServiceContext, usingDb } from "../../context";
import { apps, type DeploymentRow, type DeploymentStatus, deployments } from "../../db/schema";
import { AppError } from "../../errors";
import { getOwnedApp } from "../apps/get-owned-app";
import { type DeploymentWire, toDeployment } from "../apps/wire";

/** The app's deployments, newest first (the app must be the caller's and not deleted). */
export async function listDeployments({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string };
}): Promise<DeploymentWire[]> {
  const { appId } = input;
  await getOwnedApp({ ctx, input: { appId } });
  const rows = await ctx.db
    .select()
    .from(deployments)
    .where(eq(deployments.appId, appId))
    .orderBy(desc(deployments.version), desc(deployments.createdAt));
  return rows.map(toDeployment);
}

/** The older shape some clients poll. */
export const LegacyStatusSchema = z
  .object({
    message: z.string(),
    isDeployed: z.boolean(),
    type: z.enum(["HEALTHY", "ERROR", "STOPPING", "DEPLOYMENT_IN_PROGRESS"]),
  })
  .openapi("DeploymentStatus");
export type LegacyStatus = z.infer<typeof LegacyStatusSchema>;
type LegacyType = LegacyStatus["type"];

const LEGACY: Record<DeploymentStatus, LegacyType> = {
  queued: "DEPLOYMENT_IN_PROGRESS",
  building: "DEPLOYMENT_IN_PROGRESS",
  deploying: "DEPLOYMENT_IN_PROGRESS",
  healthy: "HEALTHY",
  failed: "ERROR",
  cancelled: "STOPPING",
};

const MESSAGES: Record<DeploymentStatus, string> = {
  queued: "The deployment is queued",
  building: "The app's image is being built",
  deploying: "The app is being deployed",
  healthy: "The app is deployed and healthy",
  failed: "The deployment failed",
  cancelled: "The deployment was stopped",
};

/** The older shape some clients poll; read-only, the caller's own deployments only. */
export async function deploymentStatus({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { deploymentId: string };
}): Promise<LegacyStatus> {
  const ownerId = ctx.user.id;
  const { deploymentId } = input;
  const [row] = await ctx.db
    .select({ status: deployments.status, reason: deployments.reason, url: deployments.url })
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .where(and(eq(deployments.id, deploymentId), eq(apps.ownerId, ownerId), isNull(apps.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("not_found", "No such deployment");
  const detail = row.status === "healthy" && row.url ? `: ${row.url}` : row.reason ? `: ${row.reason}` : "";
  return {
    message: `${MESSAGES[row.status]}${detail}`,
    isDeployed: row.status === "healthy",
    type: LEGACY[row.status],
  };
}

/** The caller's deployment `deploymentId` of app `appId`; another user's, or another app's, is a 404. */
export async function getOwnedDeployment({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string; deploymentId: string };
}): Promise<DeploymentRow> {
  const ownerId = ctx.user.id;
  const { appId, deploymentId } = input;
  const [row] = await ctx.db
    .select({ deployment: deployments })
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .where(
      and(
        eq(deployments.id, deploymentId),
        eq(deployments.appId, appId),
        eq(apps.ownerId, ownerId),
        isNull(apps.deletedAt),
      ),
    )
    .limit(1);
  if (!row) throw new AppError("not_found", "No such deployment of this app");
  return row.deployment;
}

/** A deployment's row as it is now (no ownership check: for a reader that already passed one). */
export async function getDeployment({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { deploymentId: string };
}): Promise<DeploymentRow | null> {
  const [row] = await usingDb(ctx, (db) =>
    db.select().from(deployments).where(eq(deployments.id, input.deploymentId)).limit(1),
  );
  return row ?? null;
}
