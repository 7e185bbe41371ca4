import { describe, expect, it } from "vitest";
import { UpstreamError } from "../src/clients/upstream";
import {
  deleteEcrRepository,
  deleteKoyebApp,
  deleteNeonProject,
  deployKoyebService,
  ensureEcrRepository,
  ensureKoyebApp,
  ensureNeonDatabase,
  ensureRegistrySecret,
  getKoyebDeployment,
  imageExists,
  startImageBuild,
} from "../src/services/deploy";
import {
  buildImage,
  type EcrState,
  injectFault,
  type KoyebState,
  neonConfig,
  seedImage,
  sha,
  state,
  waitForDeployment,
} from "./helpers/deploy";
import { standInUrl, testContext } from "./helpers/env";

// The deploy building blocks against the ECR, CodeBuild, S3, Koyeb and Neon stand-ins. Each test
// uses its own app id, so it only looks at its own resources in the stand-ins' state.

/** As the workflows call the deploy services: no request, no caller. */
const ctx = testContext();

describe("ECR and CodeBuild", () => {
  it("ensureEcrRepository makes the app's repository once, however often it runs", async () => {
    const appId = crypto.randomUUID();
    const [a, b] = await Promise.all([
      ensureEcrRepository({ ctx, input: { appId } }),
      ensureEcrRepository({ ctx, input: { appId } }),
    ]);
    const c = await ensureEcrRepository({ ctx, input: { appId } });
    expect(a).toEqual({
      repositoryName: `apps/${appId}`,
      repositoryUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/apps/${appId}`,
    });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const ecr = await state<EcrState>("ecr");
    expect(ecr.repositories.filter((r) => r.repositoryName === `apps/${appId}`)).toHaveLength(1);
  });

  it("a zip with a Dockerfile builds phase by phase and pushes <repository>:<sha>; a second start is the same build", async () => {
    const appId = crypto.randomUUID();
    const r = await buildImage(appId, { Dockerfile: "FROM node:20\n", "src/index.ts": "export {}\n" });
    expect(r.build).toEqual({ status: "succeeded", phase: "COMPLETED" });
    expect(r.seen).toEqual(["PROVISIONING", "DOWNLOAD_SOURCE", "BUILD", "POST_BUILD", "COMPLETED"]);
    expect(await imageExists({ ctx, input: { appId, tag: r.commitSha } })).toBe(true);
    const again = await startImageBuild({ ctx, input: r.input });
    expect(again.buildId).toBe(r.buildId);
    const builds = (
      await state<{ builds: { id: string; source: string; environment: Record<string, string> }[] }>(
        "codebuild",
      )
    ).builds.filter((b) => b.environment.APP_ID === appId);
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatchObject({
      source: `app-snapshots/apps/${appId}/v1/source.zip`,
      environment: { IMAGE_URI: r.imageUri, IMAGE_TAG: r.commitSha },
    });
  });

  it("a zip without a Dockerfile fails in BUILD with the reason, and pushes nothing", async () => {
    const appId = crypto.randomUUID();
    const r = await buildImage(appId, { "package.json": "{}" });
    expect(r.build.status).toBe("failed");
    expect(r.build.phase).toBe("BUILD");
    expect(r.build.reason).toMatch(/COMMAND_EXECUTION_ERROR: .*open Dockerfile: no such file or directory/);
    expect(await imageExists({ ctx, input: { appId, tag: r.commitSha } })).toBe(false);
  });

  it("a zip with .fail-build fails in BUILD with the script's message", async () => {
    const appId = crypto.randomUUID();
    const r = await buildImage(appId, { Dockerfile: "FROM x\n", ".fail-build": "npm ci exited with 1" });
    expect(r.build).toMatchObject({ status: "failed", phase: "BUILD" });
    expect(r.build.reason).toContain("npm ci exited with 1");
  });

  it("ECR answering 503 twice then succeeding: the client's retry gets the repository made", async () => {
    const appId = crypto.randomUUID();
    await injectFault("ecr", { match: "CreateRepository", bodyMatch: appId, status: 503, times: 2 });
    const repo = await ensureEcrRepository({ ctx, input: { appId } });
    expect(repo.repositoryName).toBe(`apps/${appId}`);
  });

  it("CodeBuild throttling (a 400 ThrottlingException) is a retryable error; a bad request is not", async () => {
    const appId = crypto.randomUUID();
    await injectFault("codebuild", { match: "StartBuild", bodyMatch: appId, status: 400, times: 1 });
    const input = {
      appId,
      version: 1,
      commitSha: sha(),
      sourceBucket: "app-snapshots",
      sourceKey: `apps/${appId}/v1/source.zip`,
      imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/apps/${appId}:x`,
    };
    const throttled = await startImageBuild({ ctx, input }).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(UpstreamError);
    expect(throttled).toMatchObject({
      retryable: true,
      upstreamCode: "ThrottlingException",
      upstreamStatus: 400,
    });
    const bad = await startImageBuild({ ctx, input: { ...input, sourceBucket: "x" } }).catch(
      (e: unknown) => e,
    );
    expect(bad).toMatchObject({
      retryable: false,
      upstreamCode: "InvalidInputException",
      code: "upstream_error",
    });
  });
});

describe("Neon", () => {
  it("ensureNeonDatabase is null without NEON_API_KEY", async () => {
    expect(
      await ensureNeonDatabase({
        ctx: testContext({ NEON_API_KEY: undefined }),
        input: { appId: crypto.randomUUID() },
      }),
    ).toBeNull();
  });

  it("ensureNeonDatabase makes one project per app and hands back its connection URI", async () => {
    const appId = crypto.randomUUID();
    const first = await ensureNeonDatabase({ ctx: testContext(neonConfig), input: { appId } });
    expect(first?.connectionUri).toMatch(/^postgresql:\/\/neondb_owner:.+@ep-.+\/neondb\?sslmode=require$/);
    const lost = await ensureNeonDatabase({ ctx: testContext(neonConfig), input: { appId } });
    const recorded = await ensureNeonDatabase({
      ctx: testContext(neonConfig),
      input: { appId, existingProjectId: first!.projectId },
    });
    expect(lost).toEqual(first);
    expect(recorded).toEqual(first);
    const projects = (await state<{ projects: { id: string; name: string }[] }>("neon")).projects;
    expect(projects.filter((p) => p.name === `app-${appId}`)).toHaveLength(1);
    expect(
      await deleteNeonProject({ ctx: testContext(neonConfig), input: { projectId: first!.projectId } }),
    ).toEqual({ deleted: true });
    expect(
      await deleteNeonProject({ ctx: testContext(neonConfig), input: { projectId: first!.projectId } }),
    ).toEqual({ deleted: false });
  });
});

describe("Koyeb", () => {
  it("ensureKoyebApp makes one app and names its domain app-<id>, however often it runs", async () => {
    const appId = crypto.randomUUID();
    const first = await ensureKoyebApp({ ctx, input: { appId } });
    expect(first.url).toBe(`https://app-${appId}.koyeb.app`);
    const lost = await ensureKoyebApp({ ctx, input: { appId } });
    const recorded = await ensureKoyebApp({ ctx, input: { appId, existingAppId: first.koyebAppId } });
    expect(lost).toEqual(first);
    expect(recorded).toEqual(first);
    const apps = (await state<KoyebState>("koyeb")).apps.filter((a) => a.name === `app-${appId}`);
    expect(apps).toHaveLength(1);
    expect(apps[0]!.domains.filter((d) => d.name === `app-${appId}.koyeb.app`)).toEqual([
      expect.objectContaining({ id: first.domainId }),
    ]);
  });

  it("Koyeb answering 503 on app creation: a typed retryable error, then the retried step finds one app", async () => {
    const appId = crypto.randomUUID();
    await injectFault("koyeb", { match: "POST /v1/apps", bodyMatch: appId, status: 503, times: 1 });
    const failed = await ensureKoyebApp({ ctx, input: { appId } }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UpstreamError);
    expect(failed).toMatchObject({ retryable: true, upstreamStatus: 503, code: "upstream_unavailable" });
    await ensureKoyebApp({ ctx, input: { appId } });
    expect((await state<KoyebState>("koyeb")).apps.filter((a) => a.name === `app-${appId}`)).toHaveLength(1);
  });

  it("Koyeb answering 503 twice on a deployment poll: the client's retry reads it", async () => {
    const appId = crypto.randomUUID();
    const { koyebAppId } = await ensureKoyebApp({ ctx, input: { appId } });
    await ensureRegistrySecret({ ctx });
    const imageUri = await seedImage(appId);
    const { deploymentId } = await deployKoyebService({
      ctx,
      input: {
        koyebAppId,
        imageUri,
        env: { SERVER_PORT: "80" },
      },
    });
    await injectFault("koyeb", { match: `GET /v1/deployments/${deploymentId}`, status: 503, times: 2 });
    expect(await getKoyebDeployment({ ctx, input: { deploymentId } })).toMatchObject({ status: "pending" });
  });

  it("ensureRegistrySecret writes a fresh ECR login into one REGISTRY secret", async () => {
    const name = await ensureRegistrySecret({ ctx });
    const before = (await state<KoyebState>("koyeb")).secrets.filter((s) => s.name === name);
    await new Promise((r) => setTimeout(r, 5));
    expect(await ensureRegistrySecret({ ctx })).toBe(name);
    const after = (await state<KoyebState>("koyeb")).secrets.filter((s) => s.name === name);
    expect(name).toBe("ecr-registry");
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      type: "REGISTRY",
      username: "AWS",
      url: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    });
    expect(after[0]!.updated_at > before[0]!.updated_at).toBe(true);
  });

  it("deployKoyebService creates the web service on port 80, scaled to zero, and the deployment goes healthy", async () => {
    const appId = crypto.randomUUID();
    const { koyebAppId } = await ensureKoyebApp({ ctx, input: { appId } });
    await ensureRegistrySecret({ ctx });
    const imageUri = await seedImage(appId);
    const input = {
      koyebAppId,
      imageUri,
      env: { APP_DATABASE_URL: "postgresql://u:p@h/db", SERVER_PORT: "80" },
    };
    const first = await deployKoyebService({ ctx, input });
    const repeated = await deployKoyebService({ ctx, input });
    expect(repeated).toEqual(first);
    expect(await waitForDeployment(first.deploymentId)).toEqual({
      status: "healthy",
      koyebStatus: "HEALTHY",
    });

    const res = await fetch(`${standInUrl("koyeb")}/v1/deployments/${first.deploymentId}`, {
      headers: { authorization: "Bearer test-koyeb-token" },
    });
    const { deployment } = (await res.json()) as { deployment: { definition: Record<string, unknown> } };
    expect(deployment.definition).toMatchObject({
      name: "web",
      docker: { image: imageUri, image_registry_secret: "ecr-registry" },
      ports: [{ port: 80, protocol: "http" }],
      routes: [{ path: "/", port: 80 }],
      scalings: [{ min: 0, max: 1 }],
      regions: ["was"],
      env: [
        { key: "APP_DATABASE_URL", value: "postgresql://u:p@h/db" },
        { key: "SERVER_PORT", value: "80" },
      ],
    });

    const nextImage = await seedImage(appId);
    const next = await deployKoyebService({
      ctx,
      input: {
        ...input,
        existingServiceId: first.serviceId,
        imageUri: nextImage,
      },
    });
    expect(next.serviceId).toBe(first.serviceId);
    expect(next.deploymentId).not.toBe(first.deploymentId);
    expect(await waitForDeployment(next.deploymentId)).toMatchObject({ status: "healthy" });
    const koyeb = await state<KoyebState>("koyeb");
    expect(koyeb.services.filter((s) => s.app_id === koyebAppId)).toHaveLength(1);
    expect(koyeb.deployments.find((d) => d.id === first.deploymentId)?.status).toBe("STOPPED");
  });

  it("an image built with a .koyeb-error marker deploys to ERROR, reported failed with Koyeb's messages", async () => {
    const appId = crypto.randomUUID();
    const built = await buildImage(appId, {
      Dockerfile: "FROM x\n",
      ".koyeb-error": "Error: listen EADDRINUSE :80",
    });
    expect(built.build.status).toBe("succeeded");
    const { koyebAppId } = await ensureKoyebApp({ ctx, input: { appId } });
    await ensureRegistrySecret({ ctx });
    const { deploymentId } = await deployKoyebService({
      ctx,
      input: {
        koyebAppId,
        imageUri: built.imageUri,
        env: { SERVER_PORT: "80" },
      },
    });
    const d = await waitForDeployment(deploymentId);
    expect(d).toMatchObject({ status: "failed", koyebStatus: "ERROR" });
    expect(d.status === "failed" && d.reason).toContain("Error: listen EADDRINUSE :80");
  });

  it("a Koyeb 4xx (a service for an app that does not exist) is not retryable", async () => {
    const err = await deployKoyebService({
      ctx,
      input: {
        koyebAppId: crypto.randomUUID(),
        imageUri: "docker.io/library/nginx:latest",
        env: { SERVER_PORT: "80" },
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, upstreamStatus: 400, upstreamCode: "invalid_argument" });
  });
});

describe("deletion", () => {
  it("deleting a deployed app leaves nothing of it in any stand-in, and deleting again is fine", async () => {
    const appId = crypto.randomUUID();
    const built = await buildImage(appId, { Dockerfile: "FROM node:20\n" });
    const db = await ensureNeonDatabase({ ctx: testContext(neonConfig), input: { appId } });
    const app = await ensureKoyebApp({ ctx, input: { appId } });
    await ensureRegistrySecret({ ctx });
    const { serviceId, deploymentId } = await deployKoyebService({
      ctx,
      input: {
        koyebAppId: app.koyebAppId,
        imageUri: built.imageUri,
        env: { APP_DATABASE_URL: db!.connectionUri, SERVER_PORT: "80" },
      },
    });
    expect(await waitForDeployment(deploymentId)).toMatchObject({ status: "healthy" });

    const ids = { koyebAppId: app.koyebAppId, serviceId };
    expect(await deleteKoyebApp({ ctx, input: ids })).toEqual({ service: true, app: true });
    expect(await deleteEcrRepository({ ctx, input: { appId } })).toEqual({ deleted: true });
    expect(
      await deleteNeonProject({ ctx: testContext(neonConfig), input: { projectId: db!.projectId } }),
    ).toEqual({ deleted: true });

    const koyeb = await state<KoyebState>("koyeb");
    expect(koyeb.apps.filter((a) => a.id === app.koyebAppId)).toEqual([]);
    expect(koyeb.domains.filter((d) => d.name.includes(appId) || d.app_id === app.koyebAppId)).toEqual([]);
    expect(koyeb.services.filter((s) => s.app_id === app.koyebAppId)).toEqual([]);
    expect(koyeb.deployments.filter((d) => d.service_id === serviceId)).toEqual([]);
    const ecr = await state<EcrState>("ecr");
    expect(ecr.repositories.filter((r) => r.repositoryName.includes(appId))).toEqual([]);
    const neon = await state<{ projects: { id: string; name: string }[] }>("neon");
    expect(neon.projects.filter((p) => p.name === `app-${appId}`)).toEqual([]);

    expect(await deleteKoyebApp({ ctx, input: ids })).toEqual({ service: false, app: false });
    expect(await deleteEcrRepository({ ctx, input: { appId } })).toEqual({ deleted: false });
    expect(
      await deleteNeonProject({ ctx: testContext(neonConfig), input: { projectId: db!.projectId } }),
    ).toEqual({ deleted: false });
  });
});
