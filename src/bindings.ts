import type { AppSession } from "./session/app-session";

// The Worker's bindings to its own Durable Object and Workflows, and the ids that address them:
// a neutral module, so routes, services, the session and the workflows name them the same way.

/** The app's Durable Object: one per app, addressed by its id. */
export function sessionStub(env: Env, appId: string): DurableObjectStub<AppSession> {
  return env.APP_SESSION.get(env.APP_SESSION.idFromName(appId)) as DurableObjectStub<AppSession>;
}

/** A Workflow payload carries ids and keys only (≤ 1 MiB); the tree is read from the snapshot. */
export interface PublishParams {
  appId: string;
  version: number;
  ownerId: string;
  traceId: string;
  appName: string;
  commitMessage: string;
  /** Paths whose binary diff sections could not be applied (reported with the commit). */
  skippedPaths: string[];
}

export interface DeleteAppParams {
  appId: string;
  ownerId: string;
}

/** One instance per app version, so a version can never be published twice. */
export function publishInstanceId(appId: string, version: number): string {
  return `publish-${appId}-v${version}`;
}

export function deleteInstanceId(appId: string): string {
  return `delete-${appId}`;
}

/** Hands a stored version to the PublishWorkflow; an instance that already exists is already running. */
export function startPublish(env: Env, params: PublishParams): Promise<void> {
  return createOnce(env.PUBLISH_WORKFLOW, publishInstanceId(params.appId, params.version), params);
}

/** Starts the app's DeleteAppWorkflow; one that already exists is already running. */
export function startAppDeletion(env: Env, params: DeleteAppParams): Promise<void> {
  return createOnce(env.DELETE_APP_WORKFLOW, deleteInstanceId(params.appId), params);
}

async function createOnce<P>(binding: Workflow<P>, id: string, params: P): Promise<void> {
  try {
    await binding.create({ id, params });
  } catch (err) {
    const existing = await binding.get(id).catch(() => null);
    if (!existing) throw err;
  }
}
