import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type AppRow, apps } from "../../db/schema";
import { AppError } from "../../errors";

/** The caller's live app, or 404 — another user's app answers exactly like a missing one. */
export async function getOwnedApp(db: Db, ownerId: string, appId: string): Promise<AppRow> {
  const [row] = await db
    .select()
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.ownerId, ownerId), isNull(apps.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("not_found", "No such app");
  return row;
}
