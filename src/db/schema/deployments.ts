import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apps } from "./apps";

export const DEPLOYMENT_STATUSES = [
  "queued",
  "building",
  "deploying",
  "healthy",
  "failed",
  "cancelled",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const deployments = pgTable(
  "deployments",
  {
    id: uuid("id").primaryKey(),
    appId: uuid("app_id")
      .notNull()
      .references(() => apps.id),
    ownerId: text("owner_id").notNull(),
    version: integer("version").notNull(),
    status: text("status", { enum: DEPLOYMENT_STATUSES }).notNull().default("queued"),
    reason: text("reason"),
    commitSha: text("commit_sha"),
    imageUri: text("image_uri"),
    buildId: text("build_id"),
    koyebAppId: text("koyeb_app_id"),
    koyebServiceId: text("koyeb_service_id"),
    koyebDeploymentId: text("koyeb_deployment_id"),
    url: text("url"),
    workflowInstanceId: text("workflow_instance_id"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // Newest version first: the app's latest deployment and its list read this index.
    index("deployments_app_version_idx").on(t.appId, t.version.desc(), t.createdAt.desc()),
    index("deployments_owner_idx").on(t.ownerId),
  ],
);

export type DeploymentRow = typeof deployments.$inferSelect;
