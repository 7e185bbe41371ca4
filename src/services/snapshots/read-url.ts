import { z } from "@hono/zod-openapi";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import { getOwnedApp } from "../apps/get-owned-app";
import { archiveKey } from "./keys";
import { presignRead } from "./read";
import { snapshotFileKey } from "./store";

export const READ_URL_TTL_S = 3600 as const;

export const ReadUrlSchema = z
  .object({
    readUrl: z
      .url()
      .openapi({ description: "A presigned S3 URL: a plain GET, nothing else, until `expiresAt`." }),
    expiresAt: z.iso.datetime().openapi({ example: "2026-11-26T10:00:00.000Z" }),
    expiresIn: z
      .literal(READ_URL_TTL_S)
      .openapi({ description: "Seconds the URL stays valid from signing." }),
    version: z
      .number()
      .int()
      .min(1)
      .openapi({ description: "The snapshot version (the app's `snapshotVersion`)." }),
    key: z.string().openapi({ example: "apps/0b7d3c1e-5a2f-4c8e-9d61-2f4a7b9c0e13/v3/source.zip" }),
  })
  .openapi("ReadUrl");
export type ReadUrl = z.infer<typeof ReadUrlSchema>;

/**
 * A presigned GET URL for the latest snapshot of the caller's app: its archive, or one file
 * when `path` is given (checked to exist, so a typo is a 404 and not a URL that answers 404).
 */
export async function getReadUrl({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string; path?: string };
}): Promise<ReadUrl> {
  const app = await getOwnedApp({ ctx, input: { appId: input.appId } });
  const version = app.snapshotVersion;
  if (version === null) throw new AppError("no_snapshot", "This app has no generated code yet");
  let key = archiveKey(app.id, version);
  if (input.path !== undefined) {
    const fileKey = await snapshotFileKey({ ctx, input: { appId: app.id, version, path: input.path } });
    if (!fileKey) throw new AppError("not_found", `The latest version has no file at ${input.path}`);
    key = fileKey;
  }
  const as = input.path === undefined ? { archive: app.appName ?? app.name } : { file: input.path };
  const { url, expiresAt } = await presignRead({ ctx, input: { key, expiresIn: READ_URL_TTL_S, as } });
  return { readUrl: url, expiresAt, expiresIn: READ_URL_TTL_S, version, key };
}
