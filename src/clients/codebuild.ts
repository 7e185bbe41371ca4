import { type Config, need } from "../config";
import { awsJson } from "./aws-json";

// AWS CodeBuild (JSON 1.1): one project builds every app's image from a source zip in S3.

const TIMEOUT_MS = 15_000;

export type BuildStatus = "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "IN_PROGRESS" | "STOPPED";

export interface BuildPhase {
  phaseType: string;
  /** Absent while the phase runs. */
  phaseStatus?: BuildStatus;
  startTime?: number;
  endTime?: number;
  durationInSeconds?: number;
  contexts?: { statusCode?: string; message?: string }[];
}

/** Where the build's log is: set once the build is provisioned (CodeBuild creates the stream then). */
export interface BuildLogs {
  groupName?: string;
  streamName?: string;
  deepLink?: string;
}

export interface Build {
  id: string;
  arn: string;
  buildNumber?: number;
  currentPhase: string;
  buildStatus: BuildStatus;
  buildComplete: boolean;
  projectName: string;
  phases?: BuildPhase[];
  startTime?: number;
  endTime?: number;
  logs?: BuildLogs;
}

export interface StartBuildInput {
  /** `<bucket>/<key>` of the source zip. */
  sourceLocation: string;
  /** Same token within AWS's window (five minutes) → the same build, not a second one. */
  idempotencyToken: string;
  env: Record<string, string>;
}

function codebuild<T>(config: Config, operation: string, input: object): Promise<T> {
  return awsJson<T>(config, {
    service: "codebuild",
    endpoint: config.CODEBUILD_ENDPOINT,
    targetPrefix: "CodeBuild_20161006",
    operation,
    input,
    timeoutMs: TIMEOUT_MS,
  });
}

/** Starts a build of the configured project from an S3 zip, with these environment variables. */
export async function startBuild(config: Config, input: StartBuildInput): Promise<Build> {
  const out = await codebuild<{ build: Build }>(config, "StartBuild", {
    projectName: need(config, "CODEBUILD_PROJECT"),
    sourceTypeOverride: "S3",
    sourceLocationOverride: input.sourceLocation,
    idempotencyToken: input.idempotencyToken,
    environmentVariablesOverride: Object.entries(input.env).map(([name, value]) => ({
      name,
      value,
      type: "PLAINTEXT",
    })),
  });
  return out.build;
}

/** The builds with these ids; unknown ids are listed in `notFound`. */
export async function batchGetBuilds(
  config: Config,
  ids: string[],
): Promise<{ builds: Build[]; notFound: string[] }> {
  const out = await codebuild<{ builds?: Build[]; buildsNotFound?: string[] }>(config, "BatchGetBuilds", {
    ids,
  });
  return { builds: out.builds ?? [], notFound: out.buildsNotFound ?? [] };
}
