import { AppError } from "../../errors";
import { isSafePath } from "../../lib/paths";
import { sha256Hex } from "../../lib/sha256";

// Where an app's files live in the bucket:
//   apps/<appId>/v<version>/source.zip     the whole tree, zipped at its root
//   apps/<appId>/v<version>/files/<path>   each file on its own (earlier layout, still read)
//   apps/<appId>/v<version>/long/<sha256>  a file whose `files/` key would pass S3's 1,024 bytes
//   apps/<appId>/v<version>/manifest.json  the version's files: path → content hash and size
//   apps/<appId>/files/<sha256>/<path>     one file's content, shared by every version holding
//                                          the same content at that path (uploaded once)
//   apps/<appId>/long/<sha256>/<sha256>    the same for a path too long for that key: content
//                                          hash, then the path's hash
//   apps/<appId>/latest.json               names the latest stored version (written last)

export const appPrefix = (appId: string) => `apps/${appId}/`;
export const versionPrefix = (appId: string, version: number) => `apps/${appId}/v${version}/`;
export const archiveKey = (appId: string, version: number) => `${versionPrefix(appId, version)}source.zip`;
/** Whether a key is a version's archive (a tree file named source.zip lives under `files/`). */
export const isArchiveKey = (key: string) => /^apps\/[^/]+\/v\d+\/source\.zip$/.test(key);

const MAX_KEY_BYTES = 1024;
const utf8 = new TextEncoder();

/**
 * A file's own key. Paths may be up to 1,024 bytes, so with the prefix some keys would be too long
 * for S3: those are named by the path's hash, outside `files/` so no plain path can meet them.
 */
export function fileKey(appId: string, version: number, path: string): string {
  const key = `${versionPrefix(appId, version)}files/${path}`;
  if (utf8.encode(key).byteLength <= MAX_KEY_BYTES) return key;
  return `${versionPrefix(appId, version)}long/${sha256Hex(path)}`;
}
export const latestKey = (appId: string) => `${appPrefix(appId)}latest.json`;
export const manifestKey = (appId: string, version: number) =>
  `${versionPrefix(appId, version)}manifest.json`;
export const contentPrefix = (appId: string) => `${appPrefix(appId)}files/`;
export const longContentPrefix = (appId: string) => `${appPrefix(appId)}long/`;
/** The key of one file's content (by its hash) at `path`; a path too long for S3 is hashed too. */
export function contentKey(appId: string, sha256: string, path: string): string {
  const key = `${contentPrefix(appId)}${sha256}/${path}`;
  if (utf8.encode(key).byteLength <= MAX_KEY_BYTES) return key;
  return `${longContentPrefix(appId)}${sha256}/${sha256Hex(path)}`;
}

const UUID_RX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Guards the key layout: a malformed app id or version would write outside the app's prefix. */
export function checkAppVersion(appId: string, version?: number): void {
  if (!UUID_RX.test(appId)) {
    throw new AppError("internal", "Snapshot app id is not a UUID", { cause: new Error(appId) });
  }
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
    throw new AppError("internal", "Snapshot version must be an integer from 1", {
      cause: new Error(String(version)),
    });
  }
}

/** A path a tree may hold: the one rule shared with the diff gate and GitHub. */
export const isSafeTreePath = isSafePath;

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  cjs: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  svg: "image/svg+xml; charset=utf-8",
  xml: "application/xml; charset=utf-8",
  yaml: "application/yaml; charset=utf-8",
  yml: "application/yaml; charset=utf-8",
};

/** Tree files are UTF-8 text; a few well-known kinds get their own type, the rest text/plain. */
export function contentTypeFor(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) || "text/plain; charset=utf-8";
}
