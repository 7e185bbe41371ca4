import { zipSync } from "fflate";
import { expect } from "vitest";
import { putObject } from "../../src/clients/s3";
import type { Config } from "../../src/config";
import {
  ensureEcrRepository,
  getImageBuild,
  getKoyebDeployment,
  type ImageBuildState,
  imageUriFor,
  type KoyebDeploymentState,
  startImageBuild,
} from "../../src/services/deploy";
import { config, standInUrl, testContext } from "./env";

// Helpers for tests of the deploy building blocks against the ECR, CodeBuild, S3, Koyeb and Neon
// stand-ins.

/** As the workflows call the deploy services: no request, no caller. */
const ctx = testContext();

export const neonConfig: Config = { ...config, NEON_API_KEY: "test-neon-key" };
const enc = new TextEncoder();
export const sha = () => crypto.randomUUID().replace(/-/g, "").padEnd(40, "0");

export async function state<T>(name: string): Promise<T> {
  return (await (await fetch(`${standInUrl(name)}/__dev/state`)).json()) as T;
}

export async function injectFault(
  name: string,
  rule: { match: string; status: number; times: number; bodyMatch?: string; message?: string },
) {
  const res = await fetch(`${standInUrl(name)}/__dev/fail`, { method: "POST", body: JSON.stringify(rule) });
  expect(res.status).toBe(200);
}

/** Stores a version's source zip in S3 the way the publish step does. */
export async function uploadSource(appId: string, files: Record<string, string>) {
  const sourceKey = `apps/${appId}/v1/source.zip`;
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, enc.encode(c)])));
  await putObject(config, sourceKey, zip, "application/zip");
  return { sourceBucket: config.S3_BUCKET!, sourceKey };
}

export async function buildImage(appId: string, files: Record<string, string>) {
  const repo = await ensureEcrRepository({ ctx, input: { appId } });
  const commitSha = sha();
  const imageUri = imageUriFor(repo.repositoryUri, commitSha);
  const source = await uploadSource(appId, files);
  const input = { appId, version: 1, commitSha, imageUri, ...source };
  const { buildId } = await startImageBuild({ ctx, input });
  let build: ImageBuildState = { status: "running", phase: "SUBMITTED" };
  const seen: string[] = [];
  for (let i = 0; i < 10 && build.status === "running"; i++) {
    build = await getImageBuild({ ctx, input: { buildId } });
    seen.push(build.phase);
  }
  return { repo, commitSha, imageUri, buildId, build, seen, input };
}

export async function waitForDeployment(deploymentId: string): Promise<KoyebDeploymentState> {
  let d: KoyebDeploymentState = { status: "pending", koyebStatus: "PENDING" };
  for (let i = 0; i < 10 && d.status === "pending"; i++)
    d = await getKoyebDeployment({ ctx, input: { deploymentId } });
  return d;
}

/** An image in the ECR stand-in, as if a build had pushed it. */
export async function seedImage(appId: string, markers: Record<string, string> = {}) {
  const repo = await ensureEcrRepository({ ctx, input: { appId } });
  const imageUri = imageUriFor(repo.repositoryUri, sha());
  const res = await fetch(`${standInUrl("ecr")}/__dev/push`, {
    method: "POST",
    body: JSON.stringify({ imageUri, markers }),
  });
  expect(res.status).toBe(200);
  return imageUri;
}

export interface EcrState {
  repositories: { repositoryName: string; images: { imageTags: string[] }[] }[];
}
export interface KoyebState {
  apps: { id: string; name: string; domains: { id: string; name: string }[] }[];
  domains: { id: string; name: string; app_id: string; type: string }[];
  services: { id: string; app_id: string }[];
  deployments: { id: string; service_id: string; status: string; image: string }[];
  secrets: { name: string; updated_at: string; username: string }[];
}
