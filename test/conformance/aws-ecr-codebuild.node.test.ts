import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  InvalidInputException,
  ResourceNotFoundException,
  StartBuildCommand,
} from "@aws-sdk/client-codebuild";
import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { batchGetBuilds, startBuild } from "../../src/clients/codebuild";
import {
  batchDeleteImages,
  createRepository,
  deleteRepository,
  describeImage,
  describeRepository,
  getAuthorizationToken,
  listImages,
} from "../../src/clients/ecr";
import { type AwsHarness, jsonShape, REGION, type Recorded, signingScope, startAws } from "./aws-setup.node";

// AWS's own ECR and CodeBuild clients drive the stand-ins through the calls the backend makes and
// must read every answer (typed errors included); then each of our JSON 1.1 requests is set beside
// the SDK's for the same operation: target header, content type, body shape, signing scope.

let aws: AwsHarness;
let ecr: ECRClient;
let codebuild: CodeBuildClient;
beforeAll(async () => {
  aws = await startAws();
  ecr = new ECRClient(aws.sdk(aws.ecr.url));
  codebuild = new CodeBuildClient(aws.sdk(aws.codebuild.url));
});
afterAll(async () => {
  ecr?.destroy();
  codebuild?.destroy();
  await aws?.close();
});

const pushed = (repositoryUri: string, tag: string) =>
  fetch(`${aws.standIns.ecr.url}/__dev/push`, {
    method: "POST",
    body: JSON.stringify({ imageUri: `${repositoryUri}:${tag}` }),
  }).then((r) => r.json());

describe("the official ECR client against the stand-in", () => {
  test("repositories: create, a taken name, describe, delete, a missing one", async () => {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: "apps/sdk-one",
        imageTagMutability: "MUTABLE",
        imageScanningConfiguration: { scanOnPush: false },
      }),
    );
    expect(created.repository).toMatchObject({
      repositoryName: "apps/sdk-one",
      repositoryUri: expect.stringMatching(/^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/apps\/sdk-one$/),
      repositoryArn: expect.stringMatching(/^arn:aws:ecr:us-east-1:\d{12}:repository\/apps\/sdk-one$/),
      registryId: expect.stringMatching(/^\d{12}$/),
      imageTagMutability: "MUTABLE",
    });
    expect(created.repository?.createdAt).toBeInstanceOf(Date);
    await expect(
      ecr.send(new CreateRepositoryCommand({ repositoryName: "apps/sdk-one" })),
    ).rejects.toBeInstanceOf(RepositoryAlreadyExistsException);
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["apps/sdk-one"] }));
    expect(described.repositories?.map((r) => r.repositoryUri)).toEqual([created.repository?.repositoryUri]);
    const missing = ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["apps/none"] }));
    await expect(missing).rejects.toBeInstanceOf(RepositoryNotFoundException);
    await expect(missing).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    const deleted = await ecr.send(
      new DeleteRepositoryCommand({ repositoryName: "apps/sdk-one", force: true }),
    );
    expect(deleted.repository?.repositoryName).toBe("apps/sdk-one");
    await expect(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: "apps/sdk-one" })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
  });

  test("images: describe by tag, list, a missing tag, batch delete", async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: "apps/sdk-two" }));
    await pushed(repository!.repositoryUri!, "v1");
    const one = await ecr.send(
      new DescribeImagesCommand({ repositoryName: "apps/sdk-two", imageIds: [{ imageTag: "v1" }] }),
    );
    expect(one.imageDetails?.[0]).toMatchObject({
      imageDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      imageTags: ["v1"],
      repositoryName: "apps/sdk-two",
    });
    expect(one.imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);
    const all = await ecr.send(
      new DescribeImagesCommand({ repositoryName: "apps/sdk-two", maxResults: 1000 }),
    );
    expect(all.imageDetails).toHaveLength(1);
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: "apps/sdk-two", imageIds: [{ imageTag: "v9" }] })),
    ).rejects.toBeInstanceOf(ImageNotFoundException);
    const del = await ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: "apps/sdk-two",
        imageIds: [{ imageTag: "v1" }, { imageTag: "v9" }],
      }),
    );
    expect(del.imageIds?.[0]?.imageDigest).toBe(one.imageDetails?.[0]?.imageDigest);
    expect(del.failures).toEqual([
      expect.objectContaining({
        imageId: { imageTag: "v9" },
        failureCode: "ImageNotFound",
        failureReason: expect.any(String),
      }),
    ]);
  });

  test("GetAuthorizationToken: a base64 AWS:<password> login, its registry and expiry", async () => {
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    expect(Buffer.from(data!.authorizationToken!, "base64").toString()).toMatch(/^AWS:.+/);
    expect(data?.proxyEndpoint).toMatch(/^https:\/\/\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
    expect(data?.expiresAt).toBeInstanceOf(Date);
    expect(data!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
  });
});

describe("the official CodeBuild client against the stand-in", () => {
  test("StartBuild, then BatchGetBuilds until the build ends, and unknown ids", async () => {
    const started = await codebuild.send(
      new StartBuildCommand({
        projectName: "app-builds",
        sourceTypeOverride: "S3",
        sourceLocationOverride: `${aws.bucket}/builds/none/source.zip`,
        idempotencyToken: "sdk-token-1",
        environmentVariablesOverride: [{ name: "IMAGE_URI", value: "x", type: "PLAINTEXT" }],
      }),
    );
    const build = started.build!;
    expect(build).toMatchObject({
      id: expect.stringMatching(/^app-builds:/),
      arn: expect.stringMatching(/^arn:aws:codebuild:us-east-1:\d{12}:build\/app-builds:/),
      buildStatus: "IN_PROGRESS",
      buildComplete: false,
      projectName: "app-builds",
    });
    expect(build.startTime).toBeInstanceOf(Date);
    let seen = build;
    for (let i = 0; i < 50 && !seen.buildComplete; i++) {
      const out = await codebuild.send(new BatchGetBuildsCommand({ ids: [build.id!, "app-builds:unknown"] }));
      expect(out.buildsNotFound).toEqual(["app-builds:unknown"]);
      seen = out.builds![0]!;
    }
    // The source zip does not exist: the build fails in DOWNLOAD_SOURCE, with the reason in the phase.
    expect(seen).toMatchObject({ buildComplete: true, buildStatus: "FAILED", currentPhase: "COMPLETED" });
    expect(seen.endTime).toBeInstanceOf(Date);
    const failed = seen.phases?.find((p) => p.phaseStatus === "FAILED");
    expect(failed?.phaseType).toBe("DOWNLOAD_SOURCE");
    expect(failed?.contexts?.[0]?.statusCode).toBeTruthy();
  });

  test("refusals are typed: an unknown project, an empty id list", async () => {
    await expect(
      codebuild.send(
        new StartBuildCommand({
          projectName: "nope",
          sourceTypeOverride: "S3",
          sourceLocationOverride: "b/k",
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(codebuild.send(new BatchGetBuildsCommand({ ids: [] }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
  });
});

describe("our JSON 1.1 requests beside the SDK's", () => {
  const take = (side: "ecr" | "codebuild") => aws[side].take();
  async function pair(
    side: "ecr" | "codebuild",
    ours: () => Promise<unknown>,
    theirs: () => Promise<unknown>,
  ) {
    take(side);
    await ours().catch(() => undefined);
    const a = take(side).at(-1);
    await theirs().catch(() => undefined);
    const b = take(side).at(-1);
    expect(a && b, "both sides made a request").toBeTruthy();
    const x = a as Recorded;
    const y = b as Recorded;
    expect(x.method).toBe(y.method);
    expect(x.path).toBe(y.path);
    expect(x.headers["x-amz-target"]).toBe(y.headers["x-amz-target"]);
    expect(x.headers["content-type"]).toBe(y.headers["content-type"]);
    expect(signingScope(x)).toEqual({ region: REGION, service: side });
    expect(signingScope(x)).toEqual(signingScope(y));
    expect(jsonShape(x.body)).toEqual(jsonShape(y.body));
    expect(x.status).toBe(y.status);
    return [x, y] as const;
  }

  test("ECR: every operation the backend calls", async () => {
    await pair(
      "ecr",
      () => createRepository(aws.config, "apps/cmp-a"),
      () =>
        ecr.send(
          new CreateRepositoryCommand({
            repositoryName: "apps/cmp-b",
            imageTagMutability: "MUTABLE",
            imageScanningConfiguration: { scanOnPush: false },
          }),
        ),
    );
    await pair(
      "ecr",
      () => describeRepository(aws.config, "apps/cmp-a"),
      () => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["apps/cmp-b"] })),
    );
    const uri = (await describeRepository(aws.config, "apps/cmp-a"))!.repositoryUri;
    await pushed(uri, "v1");
    await pair(
      "ecr",
      () => describeImage(aws.config, "apps/cmp-a", "v1"),
      () =>
        ecr.send(new DescribeImagesCommand({ repositoryName: "apps/cmp-a", imageIds: [{ imageTag: "v1" }] })),
    );
    await pair(
      "ecr",
      () => listImages(aws.config, "apps/cmp-a"),
      () => ecr.send(new DescribeImagesCommand({ repositoryName: "apps/cmp-a", maxResults: 1000 })),
    );
    await pair(
      "ecr",
      () => batchDeleteImages(aws.config, "apps/cmp-a", [{ imageTag: "v2" }]),
      () =>
        ecr.send(
          new BatchDeleteImageCommand({ repositoryName: "apps/cmp-a", imageIds: [{ imageTag: "v2" }] }),
        ),
    );
    await pair(
      "ecr",
      () => getAuthorizationToken(aws.config),
      () => ecr.send(new GetAuthorizationTokenCommand({})),
    );
    await pair(
      "ecr",
      () => deleteRepository(aws.config, "apps/cmp-a", { force: true }),
      () => ecr.send(new DeleteRepositoryCommand({ repositoryName: "apps/cmp-b", force: true })),
    );
  });

  test("CodeBuild: StartBuild and BatchGetBuilds", async () => {
    const input = {
      sourceLocation: `${aws.bucket}/builds/cmp/source.zip`,
      idempotencyToken: "cmp-token",
      env: { IMAGE_URI: "x", APP_ID: "y" },
    };
    const [ours] = await pair(
      "codebuild",
      () => startBuild(aws.config, input),
      () =>
        codebuild.send(
          new StartBuildCommand({
            projectName: "app-builds",
            sourceTypeOverride: "S3",
            sourceLocationOverride: input.sourceLocation,
            idempotencyToken: "cmp-token-sdk",
            environmentVariablesOverride: Object.entries(input.env).map(([name, value]) => ({
              name,
              value,
              type: "PLAINTEXT",
            })),
          }),
        ),
    );
    const id = JSON.parse(ours.body.toString()).projectName as string;
    expect(id).toBe("app-builds");
    await pair(
      "codebuild",
      () => batchGetBuilds(aws.config, ["app-builds:nope"]),
      () => codebuild.send(new BatchGetBuildsCommand({ ids: ["app-builds:nope"] })),
    );
  });
});
