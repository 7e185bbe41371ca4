import { awsPresign } from "../../clients/aws";
import { getObjectBytes, headObject, objectUrl } from "../../clients/s3";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import type { Tree } from "../../lib/tree";
import { unzipTree } from "../../lib/zip";
import { slugRepoName } from "../github/names";
import { archiveKey, checkAppVersion, fileKey, isArchiveKey, isSafeTreePath } from "./keys";
import { readLatestPointer } from "./store";

/** The tree of a stored version, from its archive (one GET). */
export async function readSnapshotTree({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; version: number };
}): Promise<Tree> {
  const { appId, version } = input;
  checkAppVersion(appId, version);
  const bytes = await getObjectBytes(ctx.config, archiveKey(appId, version));
  if (!bytes) throw new AppError("no_snapshot", `Version ${version} of this app has no stored snapshot`);
  return unzipTree(bytes);
}

/** The latest stored version according to `latest.json`, or null before the first one. */
export async function readLatestVersion({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string };
}): Promise<number | null> {
  return (await readLatestPointer({ ctx, input }))?.version ?? null;
}

/** Whether a version holds a file at `path` (a HEAD of its object; unsafe paths never exist). */
export async function snapshotFileExists({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; version: number; path: string };
}): Promise<boolean> {
  const { appId, version, path } = input;
  checkAppVersion(appId, version);
  if (!isSafeTreePath(path)) return false;
  return (await headObject(ctx.config, fileKey(appId, version, path))) !== null;
}

const HTML_OR_SVG = /\.(?:html?|xhtml|shtml|svgz?)$/i;

/** What a presigned GET serves: a tree file (named by its path), or the archive of an app (named). */
export type ReadAs = { file: string } | { archive: string };

/**
 * The headers S3 is told to answer a presigned GET with, so a generated page never renders on
 * the bucket's origin: tree files are UTF-8 text and served as plain text, HTML and SVG as a
 * download too; the archive is a zip and always a download, named after the app.
 */
export function safeReadHeaders(as: ReadAs): Record<string, string> {
  if ("archive" in as) {
    return {
      "response-content-type": "application/zip",
      "response-content-disposition": `attachment; filename="${slugRepoName(as.archive)}.zip"`,
    };
  }
  return {
    "response-content-type": "text/plain; charset=utf-8",
    ...(HTML_OR_SVG.test(as.file) ? { "response-content-disposition": "attachment" } : {}),
  };
}

/**
 * A presigned GET URL for one object of the bucket, valid `expiresIn` seconds from now, with the
 * answer's headers signed in. `as` names the tree file a key holds when the key does not end
 * with it (a hashed long path), or the app an archive is named after.
 */
export async function presignRead({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { key: string; expiresIn: number; now?: Date; as?: ReadAs };
}): Promise<{ url: string; expiresAt: string }> {
  const { config } = ctx;
  const { key, expiresIn, now, as } = input;
  const url = new URL(objectUrl(config, key));
  const served = as ?? (isArchiveKey(key) ? { archive: "source" } : { file: key });
  for (const [k, v] of Object.entries(safeReadHeaders(served))) url.searchParams.set(k, v);
  const signed = await awsPresign(config, {
    service: "s3",
    url: url.toString(),
    method: "GET",
    expiresIn,
    now,
  });
  return { url: signed.url, expiresAt: signed.expiresAt.toISOString() };
}
