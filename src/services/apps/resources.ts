import { eq } from "drizzle-orm";
import { type ServiceContext, usingDb } from "../../context";
import { type AppRow, apps } from "../../db/schema";

// The app row as the workflows read and write it: outside a request, each call opens its own
// short-lived connection (usingDb).

/** The app, deleted or not; null when there is no such row. */
export async function loadApp({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string };
}): Promise<AppRow | null> {
  return usingDb(ctx, async (db) => {
    const [row] = await db.select().from(apps).where(eq(apps.id, input.appId)).limit(1);
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

export async function recordAppResources({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; resources: AppResources };
}): Promise<void> {
  await usingDb(ctx, (db) =>
    db
      .update(apps)
      .set({ ...input.resources, updatedAt: new Date() })
      .where(eq(apps.id, input.appId)),
  );
}
