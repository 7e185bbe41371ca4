import { boolean, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Cache of what needs Stack or GitHub to know; refreshed on demand after an hour. */
export const userProfiles = pgTable("user_profiles", {
  userId: text("user_id").primaryKey(),
  email: text("email"),
  emailVerified: boolean("email_verified").notNull().default(false),
  displayName: text("display_name"),
  githubLogin: text("github_login"),
  isEmployee: boolean("is_employee").notNull().default(false),
  fetchedAt: timestamp("fetched_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export type UserProfileRow = typeof userProfiles.$inferSelect;
