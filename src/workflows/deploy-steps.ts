import type { PublishParams } from "../bindings";
import { need } from "../config";
import type { ServiceContext } from "../context";
import { loadApp, recordAppResources } from "../services/apps/resources";
import {
  deployKoyebService,
  ensureEcrRepository,
  ensureKoyebApp,
  ensureNeonDatabase,
  ensureRegistrySecret,
  getImageBuild,
  getKoyebDeployment,
  imageUriFor,
  startImageBuild,
} from "../services/deploy";
import { advanceDeployment, type DeploymentPatch } from "../services/deployments/record";
import { archiveKey } from "../services/snapshots";
import { WorkflowFailure } from "./failures";

/** The deployment was superseded by a newer version's, or its app deleted: stop without a failure. */
export const superseded = () =>
  new WorkflowFailure("superseded", "The deployment is no longer the app's current one");

async function advance(ctx: ServiceContext, id: string, patch: DeploymentPatch): Promise<void> {
  const still = await advanceDeployment({ ctx, input: { id, patch } });
  if (!still) throw superseded();
}

/** ECR repository + CodeBuild from the version's source.zip in S3 (no GitHub credential in AWS). */
export async function startBuildStep(
  ctx: ServiceContext,
  p: PublishParams,
  deploymentId: string,
  commitSha: string,
): Promise<{ buildId: string; imageUri: string }> {
  const { config } = ctx;
  const repo = await ensureEcrRepository({ ctx, input: { appId: p.appId } });
  const imageUri = imageUriFor(repo.repositoryUri, commitSha);
  const { buildId } = await startImageBuild({
    ctx,
    input: {
      appId: p.appId,
      version: p.version,
      commitSha,
      sourceBucket: need(config, "S3_BUCKET"),
      sourceKey: archiveKey(p.appId, p.version),
      imageUri,
    },
  });
  await recordAppResources({
    ctx,
    input: { appId: p.appId, resources: { ecrRepository: repo.repositoryName } },
  });
  await advance(ctx, deploymentId, { status: "building", buildId, imageUri });
  return { buildId, imageUri };
}

export type PollResult =
  | { state: "running" }
  | { state: "succeeded" }
  /** `reason` is written here; `detail` is the vendor's own text, for the log only. */
  | { state: "failed"; reason: string; detail?: string };

export async function pollBuildStep(ctx: ServiceContext, buildId: string): Promise<PollResult> {
  const build = await getImageBuild({ ctx, input: { buildId } });
  if (build.status === "running") return { state: "running" };
  if (build.status === "succeeded") return { state: "succeeded" };
  // Users see the phase and status only: CodeBuild's messages can name the AWS account and ARNs.
  return {
    state: "failed",
    reason: `Image build failed in phase ${build.phase} (${build.buildStatus ?? "FAILED"})`,
    ...(build.reason ? { detail: build.reason } : {}),
  };
}

/** The app's database (when Neon is configured), Koyeb app and domain, registry secret, then the service. */
export async function deployServiceStep(
  ctx: ServiceContext,
  p: PublishParams,
  deploymentId: string,
  imageUri: string,
): Promise<{ koyebDeploymentId: string; url: string }> {
  const app = await loadApp({ ctx, input: { appId: p.appId } });
  const database = await ensureNeonDatabase({
    ctx,
    input: { appId: p.appId, existingProjectId: app?.neonProjectId },
  });
  const koyebApp = await ensureKoyebApp({ ctx, input: { appId: p.appId, existingAppId: app?.koyebAppId } });
  await recordAppResources({
    ctx,
    input: {
      appId: p.appId,
      resources: {
        koyebAppId: koyebApp.koyebAppId,
        koyebDomainId: koyebApp.domainId,
        ...(database ? { neonProjectId: database.projectId } : {}),
      },
    },
  });
  await ensureRegistrySecret({ ctx });
  const service = await deployKoyebService({
    ctx,
    input: {
      koyebAppId: koyebApp.koyebAppId,
      existingServiceId: app?.koyebServiceId,
      imageUri,
      env: { SERVER_PORT: "80", ...(database ? { APP_DATABASE_URL: database.connectionUri } : {}) },
    },
  });
  await recordAppResources({
    ctx,
    input: { appId: p.appId, resources: { koyebServiceId: service.serviceId } },
  });
  await advance(ctx, deploymentId, {
    status: "deploying",
    koyebAppId: koyebApp.koyebAppId,
    koyebServiceId: service.serviceId,
    koyebDeploymentId: service.deploymentId,
  });
  return { koyebDeploymentId: service.deploymentId, url: koyebApp.url };
}

export async function pollKoyebStep(ctx: ServiceContext, koyebDeploymentId: string): Promise<PollResult> {
  const d = await getKoyebDeployment({ ctx, input: { deploymentId: koyebDeploymentId } });
  if (d.status === "pending") return { state: "running" };
  if (d.status === "healthy") return { state: "succeeded" };
  // Koyeb's messages here are about the user's own instance (it exited, a port was not bound).
  return { state: "failed", reason: `Koyeb deployment ${d.koyebStatus}: ${d.reason}` };
}
