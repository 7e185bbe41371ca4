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
