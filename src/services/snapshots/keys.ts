import { AppError } from "../../errors";

// Where an app's files live in the bucket:
//   apps/<appId>/v<version>/source.zip     the whole tree, zipped at its root
//   apps/<appId>/v<version>/files/<path>   each file on its own
//   apps/<appId>/latest.json               names the latest stored version (written last)

export const appPrefix = (appId: string) => `apps/${appId}/`;
export const versionPrefix = (appId: string, version: number) => `apps/${appId}/v${version}/`;
export const archiveKey = (appId: string, version: number) => `${versionPrefix(appId, version)}source.zip`;
export const fileKey = (appId: string, version: number, path: string) =>
  `${versionPrefix(appId, version)}files/${path}`;
export const latestKey = (appId: string) => `${appPrefix(appId)}latest.json`;

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

/**
 * A relative file path as trees hold them: no leading `/`, no empty, `.` or `..` segment, no
 * backslash or control character, at most 900 UTF-8 bytes (S3 keys end at 1024 with the prefix).
 */
export function isSafeTreePath(path: string): boolean {
  if (!path || path.startsWith("/") || new TextEncoder().encode(path).length > 900) return false;
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

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
