import { getObjectBytes, headObject, presignGetUrl } from "../../clients/s3";
import type { Config } from "../../config";
import { AppError } from "../../errors";
import type { Tree } from "../../lib/tree";
import { unzipTree } from "../../lib/zip";
import { archiveKey, checkAppVersion, fileKey, isSafeTreePath } from "./keys";
import { readLatestPointer } from "./store";

/** The tree of a stored version, from its archive (one GET). */
export async function readSnapshotTree(config: Config, appId: string, version: number): Promise<Tree> {
  checkAppVersion(appId, version);
  const bytes = await getObjectBytes(config, archiveKey(appId, version));
  if (!bytes) throw new AppError("no_snapshot", `Version ${version} of this app has no stored snapshot`);
  return unzipTree(bytes);
}

/** The latest stored version according to `latest.json`, or null before the first one. */
export async function readLatestVersion(config: Config, appId: string): Promise<number | null> {
  return (await readLatestPointer(config, appId))?.version ?? null;
}

/** Whether a version holds a file at `path` (a HEAD of its object; unsafe paths never exist). */
export async function snapshotFileExists(
  config: Config,
  appId: string,
  version: number,
  path: string,
): Promise<boolean> {
  checkAppVersion(appId, version);
  if (!isSafeTreePath(path)) return false;
  return (await headObject(config, fileKey(appId, version, path))) !== null;
}

/** A presigned GET URL for one object of the bucket, valid `expiresIn` seconds from now. */
export async function presignRead(
  config: Config,
  key: string,
  expiresIn: number,
  now?: Date,
): Promise<{ url: string; expiresAt: string }> {
  const { url, expiresAt } = await presignGetUrl(config, key, expiresIn, now);
  return { url, expiresAt: expiresAt.toISOString() };
}
