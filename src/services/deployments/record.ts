import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { type ServiceContext, usingDb } from "../../context";
import type { Db } from "../../db/client";
import { apps, type DeploymentRow, type DeploymentStatus, deployments } from "../../db/schema";

export const ACTIVE_STATUSES: DeploymentStatus[] = ["queued", "building", "deploying"];

/** A stable id per app version, so a retried step finds the row it made instead of adding one. */
export async function deploymentIdFor(appId: string, version: number): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`deployment:${appId}:v${version}`)),
  );
  digest[6] = (digest[6]! & 0x0f) | 0x40;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

interface NewDeployment {
  id: string;
  appId: string;
  ownerId: string;
  version: number;
  commitSha: string;
  workflowInstanceId: string;
}

/**
 * Records a version's deployment as `queued` (once), supersedes the app's older deployments still
 * in progress (`cancelled`, reason `superseded`) and marks the app `deploying` — one transaction.
 * A version recorded after a newer one (its publish lagged behind) starts superseded: an old
 * image must never replace the newer one that is live.
 */
export async function recordDeployment({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: NewDeployment;
}): Promise<DeploymentRow> {
  return usingDb(ctx, (db) => recordIn(db, input));
}

async function recordIn(db: Db, d: NewDeployment): Promise<DeploymentRow> {
  return db.transaction(async (tx) => {
    await tx
      .insert(deployments)
      .values({ ...d, status: "queued" })
      .onConflictDoNothing({ target: deployments.id });
    await tx
      .update(deployments)
      .set({ status: "cancelled", reason: "superseded", finishedAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(deployments.appId, d.appId),
          ne(deployments.id, d.id),
          inArray(deployments.status, ACTIVE_STATUSES),
          sql`${deployments.version} < ${d.version}`,
        ),
      );
    await tx
      .update(deployments)
      .set({ status: "cancelled", reason: "superseded", finishedAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(deployments.id, d.id),
          inArray(deployments.status, ACTIVE_STATUSES),
          sql`exists (select 1 from ${deployments} newer where newer.app_id = ${d.appId} and newer.version > ${d.version})`,
        ),
      );
    const [row] = await tx.select().from(deployments).where(eq(deployments.id, d.id));
    if (ACTIVE_STATUSES.includes(row!.status)) {
      await tx
        .update(apps)
        .set({ deployStatus: "deploying", updatedAt: new Date() })
        .where(eq(apps.id, d.appId));
    }
    return row!;
  });
}

/** What a step records on a deployment as it moves on. */
export type DeploymentPatch = Partial<
  Pick<
    DeploymentRow,
    "status" | "imageUri" | "buildId" | "koyebAppId" | "koyebServiceId" | "koyebDeploymentId" | "url"
  >
>;

/** Moves a deployment on, only while it is still in progress: false means it was superseded or ended. */
export async function advanceDeployment({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { id: string; patch: DeploymentPatch };
}): Promise<boolean> {
  const { id, patch } = input;
  const rows = await usingDb(ctx, (db) =>
    db
      .update(deployments)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(deployments.id, id), inArray(deployments.status, ACTIVE_STATUSES)))
      .returning({ id: deployments.id }),
  );
  return rows.length > 0;
}

/**
 * Ends a deployment `healthy` (with its URL) or `failed` (with a reason). The app's status and URL
 * follow only when this is still the app's latest deployment. False when it had already ended.
 */
export async function finishDeployment({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { id: string; outcome: { status: "healthy"; url: string } | { status: "failed"; reason: string } };
}): Promise<boolean> {
  return usingDb(ctx, (db) => finishIn(db, input.id, input.outcome));
}

async function finishIn(
  db: Db,
  id: string,
  outcome: { status: "healthy"; url: string } | { status: "failed"; reason: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const [row] = await tx
      .update(deployments)
      .set({
        status: outcome.status,
        ...(outcome.status === "healthy" ? { url: outcome.url, reason: null } : { reason: outcome.reason }),
        finishedAt: now,
        updatedAt: now,
      })
      .where(and(eq(deployments.id, id), inArray(deployments.status, ACTIVE_STATUSES)))
      .returning();
    if (!row) return false;
    const [latest] = await tx
      .select({ id: deployments.id })
      .from(deployments)
      .where(eq(deployments.appId, row.appId))
      .orderBy(desc(deployments.version), desc(deployments.createdAt))
      .limit(1);
    if (latest?.id === id) {
      await tx
        .update(apps)
        .set(
          outcome.status === "healthy"
            ? { deployStatus: "deployed", appUrl: outcome.url, updatedAt: now }
            : { deployStatus: "failed", updatedAt: now },
        )
        .where(eq(apps.id, row.appId));
    }
    return true;
  });
}

/** Ends every deployment of the app still in progress (the app is being deleted). */
export async function cancelActiveDeployments({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; reason: string };
}): Promise<void> {
  const { appId, reason } = input;
  await usingDb(ctx, (db) =>
    db
      .update(deployments)
      .set({ status: "cancelled", reason, finishedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(deployments.appId, appId), inArray(deployments.status, ACTIVE_STATUSES))),
  );
}
