import * as neon from "../../clients/neon";
import type { Config } from "../../config";
import type { ServiceContext } from "../../context";

// The generated app's own database: one Neon project per app, named `app-<appId>`. Optional: with
// no NEON_API_KEY the app is deployed without APP_DATABASE_URL.

export interface NeonDatabase {
  projectId: string;
  connectionUri: string;
}

/** The project's name, used to make it and to find one whose id was never recorded. */
export const neonProjectName = (appId: string) => `app-${appId}`;

async function withUri(config: Config, projectId: string): Promise<NeonDatabase> {
  return { projectId, connectionUri: await neon.getConnectionUri(config, projectId) };
}

/**
 * The app's project (the recorded one, else one found by name, else a new one) and its
 * connection URI; null when Neon is not configured.
 */
export async function ensureNeonDatabase({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; existingProjectId?: string | null };
}): Promise<NeonDatabase | null> {
  const { config } = ctx;
  if (!config.NEON_API_KEY) return null;
  if (input.existingProjectId) {
    const project = await neon.getProject(config, input.existingProjectId);
    if (project) return withUri(config, project.id);
  }
  // A step that created the project but lost the answer finds it here instead of making another.
  const found = await neon.findProjectByName(config, neonProjectName(input.appId));
  if (found) return withUri(config, found.id);
  const created = await neon.createProject(config, {
    name: neonProjectName(input.appId),
    regionId: config.NEON_REGION_ID,
  });
  return { projectId: created.project.id, connectionUri: created.connectionUri };
}

/** Deletes the app's project; one already gone counts as done. */
export async function deleteNeonProject({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { projectId: string };
}): Promise<{ deleted: boolean }> {
  return { deleted: await neon.deleteProject(ctx.config, input.projectId) };
}

/** Deletes the app's project: the recorded one, else the one found by its name. */
export async function deleteNeonDatabase({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; projectId?: string | null };
}): Promise<{ deleted: boolean }> {
  const id = input.projectId ?? (await neon.findProjectByName(ctx.config, neonProjectName(input.appId)))?.id;
  return id ? deleteNeonProject({ ctx, input: { projectId: id } }) : { deleted: false };
}
