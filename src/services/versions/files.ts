import { z } from "@hono/zod-openapi";
import { getObjectBytes } from "../../clients/s3";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import type { Tree } from "../../lib/tree";
import { getOwnedApp } from "../apps/get-owned-app";
import { contentKey, isSafeTreePath, type Manifest, manifestKey, readSnapshotTree } from "../snapshots";

// A version's files through the API (the console's file browser and comparison): its file list
// from the version's manifest, and one file's text from its content object. Versions stored
// before manifests existed are read from their archive.

export const VersionFilesSchema = z
  .object({
    version: z.number().int().min(1),
    files: z.array(
      z.object({
        path: z.string(),
        size: z.number().int().openapi({ description: "UTF-8 bytes." }),
        sha256: z.string().openapi({ description: "Of the file's content: equal hashes, equal files." }),
      }),
    ),
  })
  .openapi("VersionFiles");
export type VersionFilesWire = z.infer<typeof VersionFilesSchema>;

/** The caller's app, read with the request's database. */
type FilesContext = ServiceContext<"db" | "user">;

const utf8 = new TextEncoder();
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

/** The version must be one the caller's app has: 404 `not_found` for the app, `no_such_version`. */
async function ownedVersion(ctx: FilesContext, appId: string, version: number) {
  const app = await getOwnedApp({ ctx, input: { appId } });
  if (version > (app.snapshotVersion ?? 0)) {
    throw new AppError("no_such_version", "This app has no such version");
  }
  return app.id;
}

async function readManifest(ctx: FilesContext, appId: string, version: number): Promise<Manifest | null> {
  const bytes = await getObjectBytes(ctx.config, manifestKey(appId, version));
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Manifest) : null;
}

async function manifestOfTree(version: number, tree: Tree): Promise<Manifest> {
  const manifest: Manifest = { version, files: {} };
  for (const [path, f] of tree) {
    const body = utf8.encode(f.content);
    manifest.files[path] = {
      sha256: hex(await crypto.subtle.digest("SHA-256", body)),
      size: body.byteLength,
    };
  }
  return manifest;
}

export async function listVersionFiles({
  ctx,
  input,
}: {
  ctx: FilesContext;
  input: { appId: string; version: number };
}): Promise<VersionFilesWire> {
  const appId = await ownedVersion(ctx, input.appId, input.version);
  const manifest =
    (await readManifest(ctx, appId, input.version)) ??
    (await manifestOfTree(
      input.version,
      await readSnapshotTree({ ctx, input: { appId, version: input.version } }),
    ));
  const files = Object.entries(manifest.files)
    .map(([path, f]) => ({ path, size: f.size, sha256: f.sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { version: input.version, files };
}

/** One file's text; 400 for a path no tree may hold, 404 for one this version does not have. */
export async function readVersionFile({
  ctx,
  input,
}: {
  ctx: FilesContext;
  input: { appId: string; version: number; path: string | undefined };
}): Promise<string> {
  const appId = await ownedVersion(ctx, input.appId, input.version);
  const path = input.path;
  if (path === undefined || !isSafeTreePath(path)) {
    throw new AppError("validation_failed", "The request is invalid", {
      errors: [{ path: "path", message: "must be a file path inside the app (relative, no ..)" }],
    });
  }
  const manifest = await readManifest(ctx, appId, input.version);
  if (manifest) {
    const entry = manifest.files[path];
    if (!entry) throw new AppError("not_found", "This version has no such file");
    const bytes = await getObjectBytes(ctx.config, contentKey(appId, entry.sha256, path));
    if (!bytes) throw new AppError("internal", "A file of this version is missing from storage");
    return new TextDecoder().decode(bytes);
  }
  const file = (await readSnapshotTree({ ctx, input: { appId, version: input.version } })).get(path);
  if (!file) throw new AppError("not_found", "This version has no such file");
  return file.content;
}
