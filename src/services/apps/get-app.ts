import { desc, eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { apps, deployments } from "../../db/schema";
import { AppError } from "../../errors";
import { ownedLiveApp } from "./get-owned-app";
import { type AppWire, toApp } from "./wire";

/**
 * The caller's live app with its latest deployment, in one round trip (a lateral join picks the
 * newest deployment). Another user's app, a deleted one and a missing one are all 404.
 */
export async function getApp({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string };
}): Promise<AppWire> {
  const { db } = ctx;
  const ownerId = ctx.user.id;
  const { appId } = input;
  const latest = db
    .select({
      id: deployments.id,
      appId: deployments.appId,
      status: deployments.status,
      reason: deployments.reason,
      commitSha: deployments.commitSha,
      imageUri: deployments.imageUri,
      url: deployments.url,
      createdAt: deployments.createdAt,
      updatedAt: deployments.updatedAt,
      finishedAt: deployments.finishedAt,
    })
    .from(deployments)
    .where(eq(deployments.appId, apps.id))
    .orderBy(desc(deployments.version), desc(deployments.createdAt))
    .limit(1)
    .as("latest");
  const [row] = await db
    .select({
      app: apps,
      latest: {
        id: latest.id,
        appId: latest.appId,
        status: latest.status,
        reason: latest.reason,
        commitSha: latest.commitSha,
        imageUri: latest.imageUri,
        url: latest.url,
        createdAt: latest.createdAt,
        updatedAt: latest.updatedAt,
        finishedAt: latest.finishedAt,
      },
    })
    .from(apps)
    .leftJoinLateral(latest, sql`true`)
    .where(ownedLiveApp(appId, ownerId))
    .limit(1);
  if (!row) throw new AppError("not_found", "No such app");
  return toApp(row.app, row.latest);
}
