import { deleteObjects, getObjectBytes, listAllObjects, putObject } from "../../clients/s3";
import type { Config } from "../../config";
import { AppError } from "../../errors";
import type { Tree } from "../../lib/tree";
import { zipTree } from "../../lib/zip";
import { mapLimit } from "./concurrency";
import {
  archiveKey,
  checkAppVersion,
  contentTypeFor,
  fileKey,
  isSafeTreePath,
  latestKey,
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

/**
 * Stores one version of an app: the archive, then every file, then checks the listing S3 gives
 * back against what was sent (keys and sizes), and only then points `latest.json` at it. Safe to
 * repeat: the same version overwrites the same keys, and keys of an earlier attempt that the tree
 * no longer has are removed.
 */
export async function storeSnapshot(
  config: Config,
  input: { appId: string; version: number; tree: Tree },
): Promise<StoredSnapshot> {
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
  const expected = new Map<string, number>([[archive, zip.byteLength]]);
  await putObject(config, archive, zip, "application/zip");

  let bytes = 0;
  await mapLimit([...tree.entries()], UPLOAD_CONCURRENCY, async ([path, file]) => {
    const body = utf8.encode(file.content);
    const key = fileKey(appId, version, path);
    expected.set(key, body.byteLength);
    bytes += body.byteLength;
    await putObject(config, key, body, contentTypeFor(path));
  });

  await verifyVersion(config, versionPrefix(appId, version), expected);

  const current = await readLatestPointer(config, appId);
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
export async function readLatestPointer(config: Config, appId: string): Promise<LatestPointer | null> {
  checkAppVersion(appId);
  const bytes = await getObjectBytes(config, latestKey(appId));
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
