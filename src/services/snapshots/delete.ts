import { deleteObjects, listObjects } from "../../clients/s3";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import { appPrefix, checkAppVersion } from "./keys";

/** Far above any real app (1000 keys a round); stops a storage that never empties from looping forever. */
const MAX_ROUNDS = 10_000;

/**
 * Removes every object under `apps/<appId>/` and answers how many went. Idempotent: a second call
 * finds nothing and answers 0. Lists the first page again after each batch, so objects written
 * meanwhile are caught too.
 */
export async function deleteAppObjects({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string };
}): Promise<number> {
  const { config } = ctx;
  const { appId } = input;
  checkAppVersion(appId);
  const prefix = appPrefix(appId);
  let deleted = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await listObjects(config, { prefix });
    if (page.objects.length === 0) return deleted;
    deleted += await deleteObjects(
      config,
      page.objects.map((o) => o.key),
    );
  }
  throw new AppError("upstream_error", "File storage keeps listing objects of a deleted app", {
    cause: new Error(`${prefix}: still not empty after ${MAX_ROUNDS} rounds`),
  });
}
