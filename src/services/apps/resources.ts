import { eq } from "drizzle-orm";
import type { Config } from "../../config";
import { withDb } from "../../db/client";
import { type AppRow, apps } from "../../db/schema";

// The app row as the workflows read and write it: each step opens its own short-lived connection.

/** The app, deleted or not; null when there is no such row. */
export async function loadApp(config: Config, appId: string): Promise<AppRow | null> {
  return withDb(config, async (db) => {
    const [row] = await db.select().from(apps).where(eq(apps.id, appId)).limit(1);
    return row ?? null;
  });
}

/** The ids of what publishing made for the app, recorded as soon as each exists. */
export type AppResources = Partial<
  Pick<
    AppRow,
    | "githubOwner"
    | "githubOwnerType"
    | "githubRepo"
    | "repositoryUrl"
    | "ecrRepository"
    | "koyebAppId"
    | "koyebDomainId"
    | "koyebServiceId"
    | "neonProjectId"
  >
>;

export async function recordAppResources(config: Config, appId: string, patch: AppResources): Promise<void> {
  await withDb(config, (db) =>
    db
      .update(apps)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(apps.id, appId)),
  );
}
