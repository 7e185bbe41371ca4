import * as ecr from "../../clients/ecr";
import { isUpstreamError } from "../../clients/upstream";
import type { Config } from "../../config";
import type { ServiceContext } from "../../context";

// The app's image repository in ECR, `<ECR_REPOSITORY_PREFIX>/<appId>`.

export interface EcrRepositoryRef {
  repositoryName: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`; an image is `<repositoryUri>:<tag>`. */
  repositoryUri: string;
}

const ecrRepositoryName = (config: Config, appId: string) => `${config.ECR_REPOSITORY_PREFIX}/${appId}`;

/** The image URI a build pushes and Koyeb runs: the commit sha is the tag. */
export const imageUriFor = (repositoryUri: string, commitSha: string) => `${repositoryUri}:${commitSha}`;

const ref = (r: ecr.EcrRepository): EcrRepositoryRef => ({
  repositoryName: r.repositoryName,
  repositoryUri: r.repositoryUri,
});

/** Finds or creates the app's repository; two concurrent or repeated calls end with one. */
export async function ensureEcrRepository({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string };
}): Promise<EcrRepositoryRef> {
  const { config } = ctx;
  const name = ecrRepositoryName(config, input.appId);
  const existing = await ecr.describeRepository(config, name);
  if (existing) return ref(existing);
  try {
    return ref(await ecr.createRepository(config, name));
  } catch (err) {
    if (!isUpstreamError(err, "RepositoryAlreadyExistsException")) throw err;
    const raced = await ecr.describeRepository(config, name);
    if (!raced) throw err;
    return ref(raced);
  }
}

/** Whether the app's repository already holds an image with this tag (a build that already ran). */
export async function imageExists({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; tag: string };
}): Promise<boolean> {
  const { config } = ctx;
  return (await ecr.describeImage(config, ecrRepositoryName(config, input.appId), input.tag)) !== null;
}

/** Removes the app's images and repository; a repository already gone counts as done. */
export async function deleteEcrRepository({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string };
}): Promise<{ deleted: boolean }> {
  const name = ecrRepositoryName(ctx.config, input.appId);
  // `force` deletes the images with the repository in one call, so a retry never finds half of it.
  return { deleted: await ecr.deleteRepository(ctx.config, name, { force: true }) };
}
