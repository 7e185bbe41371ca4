import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { type AppRow, apps } from "../../db/schema";
import { AppError } from "../../errors";

/** The one rule for "this app is the owner's and not deleted", as a condition on `apps`. */
export function ownedLiveApp(appId: string, ownerId: string): SQL {
  return and(eq(apps.id, appId), eq(apps.ownerId, ownerId), isNull(apps.deletedAt))!;
}

/** The caller's live app, or 404 — another user's app answers exactly like a missing one. */
export async function getOwnedApp({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string };
}): Promise<AppRow> {
  const [row] = await ctx.db.select().from(apps).where(ownedLiveApp(input.appId, ctx.user.id)).limit(1);
  if (!row) throw new AppError("not_found", "No such app");
  return row;
}
