import { eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { customMessageLimits } from "../../db/schema";

/** Sets (or replaces) a user's custom daily limit. */
export async function setCustomLimit({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db">;
  input: { userId: string; dailyLimit: number };
}): Promise<void> {
  const { userId, dailyLimit } = input;
  await ctx.db
    .insert(customMessageLimits)
    .values({ userId, dailyLimit })
    .onConflictDoUpdate({
      target: customMessageLimits.userId,
      set: { dailyLimit, updatedAt: sql`now()` },
    });
}

/** Removes a user's custom limit (a no-op when there is none): the default applies again. */
export async function removeCustomLimit({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db">;
  input: { userId: string };
}): Promise<void> {
  await ctx.db.delete(customMessageLimits).where(eq(customMessageLimits.userId, input.userId));
}
