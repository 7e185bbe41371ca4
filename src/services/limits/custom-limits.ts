import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { customMessageLimits } from "../../db/schema";

/** Sets (or replaces) a user's custom daily limit. */
export async function setCustomLimit(db: Db, userId: string, dailyLimit: number): Promise<void> {
  await db
    .insert(customMessageLimits)
    .values({ userId, dailyLimit })
    .onConflictDoUpdate({
      target: customMessageLimits.userId,
      set: { dailyLimit, updatedAt: sql`now()` },
    });
}

/** Removes a user's custom limit (a no-op when there is none): the default applies again. */
export async function removeCustomLimit(db: Db, userId: string): Promise<void> {
  await db.delete(customMessageLimits).where(eq(customMessageLimits.userId, userId));
}
