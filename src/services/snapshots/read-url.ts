import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { AppError } from "../../errors";
import { getOwnedApp } from "../apps/get-owned-app";
import { archiveKey } from "./keys";
import { presignRead } from "./read";
import { snapshotFileKey } from "./store";

export const READ_URL_TTL_S = 3600 as const;

export interface ReadUrl {
  readUrl: string;
  expiresAt: string;
  expiresIn: typeof READ_URL_TTL_S;
  version: number;
  key: string;
}

/**
 * A presigned GET URL for the latest snapshot of the caller's app: its archive, or one file
 * when `path` is given (checked to exist, so a typo is a 404 and not a URL that answers 404).
 */
export async function getReadUrl(
  db: Db,
  config: Config,
  input: { ownerId: string; appId: string; path?: string },
): Promise<ReadUrl> {
  const app = await getOwnedApp(db, input.ownerId, input.appId);
  const version = app.snapshotVersion;
  if (version === null) throw new AppError("no_snapshot", "This app has no generated code yet");
  let key = archiveKey(app.id, version);
  if (input.path !== undefined) {
    const fileKey = await snapshotFileKey(config, app.id, version, input.path);
    if (!fileKey) throw new AppError("not_found", `The latest version has no file at ${input.path}`);
    key = fileKey;
  }
  const as = input.path === undefined ? { archive: app.appName ?? app.name } : { file: input.path };
  const { url, expiresAt } = await presignRead(config, key, READ_URL_TTL_S, undefined, as);
  return { readUrl: url, expiresAt, expiresIn: READ_URL_TTL_S, version, key };
}
