import { awsPresign } from "../../clients/aws";
import { getObjectBytes, headObject, objectUrl } from "../../clients/s3";
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

const HTML_OR_SVG = /\.(?:html?|xhtml|shtml|svgz?)$/i;

/**
 * The headers S3 is told to answer a presigned GET with, so a generated page never renders on
 * the bucket's origin: tree files are UTF-8 text and served as plain text, HTML and SVG as a
 * download too.
 */
export function safeReadHeaders(path: string | null): Record<string, string> {
  // The archive is stored as application/zip, which no browser renders.
  if (path === null) return {};
  return {
    "response-content-type": "text/plain; charset=utf-8",
    ...(HTML_OR_SVG.test(path) ? { "response-content-disposition": "attachment" } : {}),
  };
}

/**
 * A presigned GET URL for one object of the bucket, valid `expiresIn` seconds from now, with the
 * answer's headers signed in. `path` names the tree file a key holds when the key does not end
 * with it (a hashed long path); the archive is bytes.
 */
export async function presignRead(
  config: Config,
  key: string,
  expiresIn: number,
  now?: Date,
  path?: string,
): Promise<{ url: string; expiresAt: string }> {
  const url = new URL(objectUrl(config, key));
  const file = key.endsWith("/source.zip") && path === undefined ? null : (path ?? key);
  for (const [k, v] of Object.entries(safeReadHeaders(file))) url.searchParams.set(k, v);
  const signed = await awsPresign(config, {
    service: "s3",
    url: url.toString(),
    method: "GET",
    expiresIn,
    now,
  });
  return { url: signed.url, expiresAt: signed.expiresAt.toISOString() };
}
