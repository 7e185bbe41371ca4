import { integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apps } from "./apps";

/**
 * One row per version of an app (its snapshot in S3 holds the files). Written by the app's
 * session when the version is made; the commit columns by the publishing step once it committed.
 * Either may come first: both writes are upserts that leave the other's columns alone.
 */
export const appVersions = pgTable(
  "app_versions",
  {
    appId: uuid("app_id")
      .notNull()
      .references(() => apps.id),
    version: integer("version").notNull(),
    runId: text("run_id"),
    traceId: text("trace_id"),
    commitMessage: text("commit_message"),
    /** The change from the version before: files touched, lines inserted and deleted. */
    files: integer("files"),
    insertions: integer("insertions"),
    deletions: integer("deletions"),
    /** Set when the version is a restore of an earlier one. */
    restoredFrom: integer("restored_from"),
    commitSha: text("commit_sha"),
    commitUrl: text("commit_url"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.version] })],
);

export type AppVersionRow = typeof appVersions.$inferSelect;
