import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const apps = pgTable(
  "apps",
  {
    id: uuid("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    appName: text("app_name"),
    techStack: text("tech_stack").notNull(),
    clientSource: text("client_source").notNull().default("web"),
    traceId: text("trace_id"),
    githubOwner: text("github_owner"),
    /** Who owns the repository, fixed when it is created: the platform org, or the user. */
    githubOwnerType: text("github_owner_type", { enum: ["org", "user"] }),
    githubRepo: text("github_repo"),
    repositoryUrl: text("repository_url"),
    deployStatus: text("deploy_status", { enum: ["pending", "deploying", "deployed", "failed"] })
      .notNull()
      .default("pending"),
    appUrl: text("app_url"),
    koyebAppId: text("koyeb_app_id"),
    koyebServiceId: text("koyeb_service_id"),
    koyebDomainId: text("koyeb_domain_id"),
    neonProjectId: text("neon_project_id"),
    ecrRepository: text("ecr_repository"),
    snapshotVersion: integer("snapshot_version"),
    runStatus: text("run_status", { enum: ["idle", "running"] })
      .notNull()
      .default("idle"),
    lastRunAt: timestamp("last_run_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("apps_owner_created_idx").on(t.ownerId, t.createdAt.desc()).where(sql`${t.deletedAt} is null`),
  ],
);

export type AppRow = typeof apps.$inferSelect;
