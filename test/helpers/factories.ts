import { sql } from "drizzle-orm";
import type { Db } from "../../src/db/client";
import {
  type AppPromptRow,
  type AppRow,
  appPrompts,
  apps,
  type DeploymentRow,
  deployments,
} from "../../src/db/schema";

// Direct inserts for tests that need rows the API only makes through a whole run. Use with the
// test file's own handle from `useTestDb()` (test/helpers/db.ts).

export async function createApp(db: Db, ownerId: string, overrides: Partial<AppRow> = {}): Promise<AppRow> {
  const id = overrides.id ?? crypto.randomUUID();
  const [row] = await db
    .insert(apps)
    .values({
      id,
      ownerId,
      name: `App ${id.slice(0, 8)}`,
      appName: `app-${id.slice(0, 8)}`,
      techStack: "trpc_agent",
      traceId: `app-${id}.req-${crypto.randomUUID()}`,
      ...overrides,
    })
    .returning();
  return row!;
}

export type PromptEntry = Partial<Omit<AppPromptRow, "appId" | "seq">> & { prompt?: string };

/** Appends history entries in order, each with the app's next `seq`. */
export async function addPrompts(db: Db, appId: string, entries: PromptEntry[]): Promise<AppPromptRow[]> {
  const [last] = await db
    .select({ seq: sql<number>`coalesce(max(${appPrompts.seq}), 0)`.mapWith(Number) })
    .from(appPrompts)
    .where(sql`${appPrompts.appId} = ${appId}`);
  let seq = last?.seq ?? 0;
  const rows = entries.map((e, i) => ({
    id: crypto.randomUUID(),
    prompt: `entry ${i + 1}`,
    kind: "user" as const,
    messageKind: "UserMessage",
    ...e,
    appId,
    seq: ++seq,
  }));
  if (rows.length === 0) return [];
  return db.insert(appPrompts).values(rows).returning();
}

export async function addDeployment(
  db: Db,
  appId: string,
  ownerId: string,
  overrides: Partial<DeploymentRow> = {},
): Promise<DeploymentRow> {
  const [row] = await db
    .insert(deployments)
    .values({ id: crypto.randomUUID(), appId, ownerId, version: 1, ...overrides })
    .returning();
  return row!;
}
