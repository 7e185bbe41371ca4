import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { apps } from "./apps";

/**
 * The conversation. `seq` is the app's history sequence number, handed out by its Durable Object
 * (user messages get one too), so outbox flushes can be retried with ON CONFLICT DO NOTHING.
 */
export const appPrompts = pgTable(
  "app_prompts",
  {
    id: uuid("id").primaryKey(),
    appId: uuid("app_id")
      .notNull()
      .references(() => apps.id),
    seq: integer("seq").notNull(),
    prompt: text("prompt").notNull(),
    kind: text("kind", { enum: ["user", "assistant"] }).notNull(),
    messageKind: text("message_kind").notNull(),
    metadata: jsonb("metadata"),
    traceId: text("trace_id"),
    runId: text("run_id"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("app_prompts_app_seq_uidx").on(t.appId, t.seq),
    index("app_prompts_app_created_idx").on(t.appId, t.createdAt),
  ],
);

export type AppPromptRow = typeof appPrompts.$inferSelect;
