import * as codebuild from "../../clients/codebuild";
import type { ServiceContext } from "../../context";

// The app's image build: CodeBuild builds the version's source zip from S3 and pushes the image.

export interface ImageBuildInput {
  appId: string;
  version: number;
  commitSha: string;
  sourceBucket: string;
  sourceKey: string;
  /** `<repositoryUri>:<commitSha>`, where the build pushes. */
  imageUri: string;
}

export type ImageBuildStatus = "running" | "succeeded" | "failed";

export interface ImageBuildState {
  status: ImageBuildStatus;
  /** CodeBuild's phase: the failing one for a failed build, else the current one. */
  phase: string;
  /** CodeBuild's status of a failed build (FAILED, FAULT, TIMED_OUT, STOPPED). */
  buildStatus?: string;
  /** CodeBuild's own words about a failed build: for the log only (they can name the AWS account). */
  reason?: string;
}

/** One build per app version: the idempotency token makes a repeated start return the same build. */
export async function startImageBuild({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: ImageBuildInput;
}): Promise<{ buildId: string }> {
  const build = await codebuild.startBuild(ctx.config, {
    sourceLocation: `${input.sourceBucket}/${input.sourceKey}`,
    idempotencyToken: `${input.appId}-v${input.version}`,
    env: { IMAGE_URI: input.imageUri, IMAGE_TAG: input.commitSha, APP_ID: input.appId },
  });
  return { buildId: build.id };
}

const FAILED = new Set(["FAILED", "FAULT", "TIMED_OUT", "STOPPED"]);

/** Where a build stands; a build CodeBuild does not know is a failed one. */
export async function getImageBuild({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { buildId: string };
}): Promise<ImageBuildState> {
  const { buildId } = input;
  const { builds } = await codebuild.batchGetBuilds(ctx.config, [buildId]);
  const build = builds[0];
  if (!build)
    return {
      status: "failed",
      phase: "UNKNOWN",
      buildStatus: "UNKNOWN",
      reason: `CodeBuild does not know build ${buildId}`,
    };
  if (build.buildStatus === "SUCCEEDED") return { status: "succeeded", phase: build.currentPhase };
  if (!FAILED.has(build.buildStatus)) return { status: "running", phase: build.currentPhase };
  const failing = build.phases?.find((p) => p.phaseStatus !== undefined && FAILED.has(p.phaseStatus));
  const detail = failing?.contexts
    ?.map((c) => [c.statusCode, c.message].filter(Boolean).join(": "))
    .filter(Boolean)
    .join("; ");
  const phase = failing?.phaseType ?? build.currentPhase;
  return {
    status: "failed",
    phase,
    buildStatus: build.buildStatus,
    reason:
      detail || `The image build ended ${build.buildStatus.toLowerCase().replace("_", " ")} in ${phase}`,
  };
}
