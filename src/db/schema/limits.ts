import { date, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const customMessageLimits = pgTable("custom_message_limits", {
  userId: text("user_id").primaryKey(),
  dailyLimit: integer("daily_limit").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** One row per user and UTC day; counting is one conditional upsert (see services/limits). */
export const messageUsage = pgTable(
  "message_usage",
  {
    userId: text("user_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);
