import { and, eq, isNull } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { type AppRow, apps } from "../../db/schema";
import { AppError } from "../../errors";

/** The caller's live app, or 404 — another user's app answers exactly like a missing one. */
export async function getOwnedApp({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string };
}): Promise<AppRow> {
  const [row] = await ctx.db
    .select()
    .from(apps)
    .where(and(eq(apps.id, input.appId), eq(apps.ownerId, ctx.user.id), isNull(apps.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("not_found", "No such app");
  return row;
}
