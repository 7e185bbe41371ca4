import { deleteObjects, getObjectBytes, headObject, listAllObjects, putObject } from "../../clients/s3";
import type { Config } from "../../config";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import type { Tree } from "../../lib/tree";
import { zipTree } from "../../lib/zip";
import { mapLimit } from "./concurrency";
import {
  archiveKey,
  checkAppVersion,
  contentKey,
  contentPrefix,
  contentTypeFor,
  fileKey,
  isSafeTreePath,
  latestKey,
  longContentPrefix,
  manifestKey,
  versionPrefix,
} from "./keys";

const UPLOAD_CONCURRENCY = 8;

export interface StoredSnapshot {
  archiveKey: string;
  fileCount: number;
  /** Total size of the tree's files (UTF-8 bytes, uncompressed). */
  bytes: number;
  archiveBytes: number;
}

export interface LatestPointer {
  version: number;
  archiveKey: string;
  fileCount: number;
  bytes: number;
  storedAt: string;
}

/** A version's files: path → the hash and size of its content (`manifest.json`). */
export interface Manifest {
  version: number;
  files: Record<string, { sha256: string; size: number }>;
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Stores one version of an app: the archive, each file's content under its hash (only contents
 * the app's storage does not hold yet: an edit uploads what it changed), the version's manifest,
 * then checks S3's listing against what the version needs (keys and sizes), and only then points
 * `latest.json` at it. Safe to repeat: the same version overwrites the same keys, and keys under
 * the version's prefix that it no longer has are removed.
 */
export async function storeSnapshot({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; version: number; tree: Tree };
}): Promise<StoredSnapshot> {
  const { config } = ctx;
  const { appId, version, tree } = input;
  checkAppVersion(appId, version);
  const bad = [...tree.keys()].filter((p) => !isSafeTreePath(p));
  if (bad.length) {
    throw new AppError("internal", "A tree path cannot be stored", {
      cause: new Error(bad.slice(0, 5).join(", ")),
    });
  }

  const utf8 = new TextEncoder();
  const zip = zipTree(tree);
  const archive = archiveKey(appId, version);
  await putObject(config, archive, zip, "application/zip");

  const manifest: Manifest = { version, files: {} };
  const contents = new Map<string, { body: Uint8Array; path: string }>();
  let bytes = 0;
  for (const [path, file] of tree) {
    const body = utf8.encode(file.content);
    const sha256 = hex(await crypto.subtle.digest("SHA-256", body));
    manifest.files[path] = { sha256, size: body.byteLength };
    contents.set(contentKey(appId, sha256, path), { body, path });
    bytes += body.byteLength;
  }
  const held = await heldContents(config, appId);
  const missing = [...contents].filter(([key, c]) => held.get(key) !== c.body.byteLength);
  await mapLimit(missing, UPLOAD_CONCURRENCY, ([key, c]) =>
    putObject(config, key, c.body, contentTypeFor(c.path)),
  );
  const manifestBody = utf8.encode(JSON.stringify(manifest));
  await putObject(config, manifestKey(appId, version), manifestBody, "application/json");

  await verifyVersion(
    config,
    versionPrefix(appId, version),
    new Map([
      [archive, zip.byteLength],
      [manifestKey(appId, version), manifestBody.byteLength],
    ]),
  );
  const stored = missing.length ? await heldContents(config, appId) : held;
  const absent = [...contents].filter(([key, c]) => stored.get(key) !== c.body.byteLength);
  if (absent.length) {
    throw new AppError("upstream_error", "File storage is missing uploaded objects", {
      cause: new Error(`${absent.length} missing or of the wrong size, first: ${absent[0]![0]}`),
    });
  }

  const current = await readLatestPointer({ ctx, input: { appId } });
  // A retried store of an older version must not move the pointer back.
  if (!current || current.version <= version) {
    const pointer: LatestPointer = {
      version,
      archiveKey: archive,
      fileCount: tree.size,
      bytes,
      storedAt: new Date().toISOString(),
    };
    await putObject(config, latestKey(appId), utf8.encode(JSON.stringify(pointer)), "application/json");
  }
  return { archiveKey: archive, fileCount: tree.size, bytes, archiveBytes: zip.byteLength };
}

/** Key → size of every file content the app's storage holds (plain and hashed-path keys). */
async function heldContents(config: Config, appId: string): Promise<Map<string, number>> {
  const lists = await Promise.all(
    [contentPrefix(appId), longContentPrefix(appId)].map((p) => listAllObjects(config, p)),
  );
  return new Map(lists.flat().map((o) => [o.key, o.size]));
}

/**
 * The object holding a version's file, or null when the version has no such file. A version stored
 * before manifests existed keeps its files under its own prefix (one HEAD).
 */
export async function snapshotFileKey({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; version: number; path: string };
}): Promise<string | null> {
  const { config } = ctx;
  const { appId, version, path } = input;
  checkAppVersion(appId, version);
  if (!isSafeTreePath(path)) return null;
  const bytes = await getObjectBytes(config, manifestKey(appId, version));
  if (!bytes) {
    const key = fileKey(appId, version, path);
    return (await headObject(config, key)) ? key : null;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
  } catch (err) {
    throw new AppError("upstream_error", "A snapshot manifest is not JSON", { cause: err });
  }
  const entry = Object.hasOwn(manifest.files ?? {}, path) ? manifest.files[path] : undefined;
  return entry ? contentKey(appId, entry.sha256, path) : null;
}

/** What S3 lists under the version must be exactly what was uploaded, size for size. */
async function verifyVersion(config: Config, prefix: string, expected: Map<string, number>): Promise<void> {
  const listed = await listAllObjects(config, prefix);
  const seen = new Set<string>();
  const stale: string[] = [];
  for (const o of listed) {
    const size = expected.get(o.key);
    if (size === undefined) stale.push(o.key);
    else if (size !== o.size) {
      throw new AppError("upstream_error", "File storage kept an object with the wrong size", {
        cause: new Error(`${o.key}: sent ${size} bytes, S3 lists ${o.size}`),
      });
    } else seen.add(o.key);
  }
  const missing = [...expected.keys()].filter((k) => !seen.has(k));
  if (missing.length) {
    throw new AppError("upstream_error", "File storage is missing uploaded objects", {
      cause: new Error(`${missing.length} missing, first: ${missing[0]}`),
    });
  }
  if (stale.length) await deleteObjects(config, stale);
}

/** The parsed `latest.json`, or null when the app has none yet. */
export async function readLatestPointer({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string };
}): Promise<LatestPointer | null> {
  const { appId } = input;
  checkAppVersion(appId);
  const bytes = await getObjectBytes(ctx.config, latestKey(appId));
  if (!bytes) return null;
  let parsed: Partial<LatestPointer>;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LatestPointer>;
  } catch (err) {
    throw new AppError("upstream_error", "The latest snapshot pointer is not JSON", { cause: err });
  }
  if (!Number.isSafeInteger(parsed.version) || (parsed.version ?? 0) < 1) {
    throw new AppError("upstream_error", "The latest snapshot pointer names no version", {
      cause: new Error(JSON.stringify(parsed).slice(0, 200)),
    });
  }
  return parsed as LatestPointer;
}
