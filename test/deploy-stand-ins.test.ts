import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { standInUrl } from "./helpers/env";

// The deploy stand-ins refuse what the real services refuse: that is what makes the client tests
// below them worth something.

const KEY = { accessKeyId: "AKIATESTKEY", secretAccessKey: "test-aws-secret" };
const ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921";
const CB_TARGET = "CodeBuild_20161006";

async function awsCall(
  standIn: "ecr" | "codebuild",
  target: string,
  input: object,
  sign: { service?: string; region?: string; secretAccessKey?: string; accessKeyId?: string } = {},
) {
  const aws = new AwsClient({
    ...KEY,
    ...sign,
    service: sign.service ?? standIn,
    region: sign.region ?? "us-east-1",
    retries: 0,
  });
  const res = await aws.fetch(`${standInUrl(standIn)}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(input),
  });
  // JSON 1.1 answers are not `application/json`: decode the bytes (workerd warns on .json() here).
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

const repoName = () => `apps/${crypto.randomUUID()}`;

describe("AWS JSON stand-ins (ECR, CodeBuild)", () => {
  it("ECR answers a correctly signed call", async () => {
    const name = repoName();
    const r = await awsCall("ecr", `${ECR_TARGET}.CreateRepository`, { repositoryName: name });
    expect(r.status).toBe(200);
    expect(r.body.repository).toMatchObject({
      repositoryName: name,
      repositoryUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}`,
    });
  });

  it("a signature scoped to another region is refused with 403", async () => {
    const r = await awsCall("ecr", `${ECR_TARGET}.DescribeRepositories`, {}, { region: "eu-west-1" });
    expect(r.status).toBe(403);
    expect(r.body.__type).toBe("InvalidSignatureException");
    expect(String(r.body.message)).toMatch(/region/);
  });

  it("a signature scoped to another service is refused with 403", async () => {
    const ecr = await awsCall("ecr", `${ECR_TARGET}.DescribeRepositories`, {}, { service: "codebuild" });
    expect(ecr.status).toBe(403);
    expect(ecr.body).toMatchObject({ __type: "InvalidSignatureException" });
    const cb = await awsCall("codebuild", `${CB_TARGET}.BatchGetBuilds`, { ids: ["x"] }, { service: "ecr" });
    expect(cb.status).toBe(403);
    expect(String(cb.body.message)).toContain("'codebuild'");
  });

  it("a wrong secret or an unknown access key is refused with 403", async () => {
    const wrongSecret = await awsCall(
      "ecr",
      `${ECR_TARGET}.DescribeRepositories`,
      {},
      { secretAccessKey: "nope" },
    );
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.body.__type).toBe("InvalidSignatureException");
    const unknownKey = await awsCall(
      "codebuild",
      `${CB_TARGET}.BatchGetBuilds`,
      { ids: ["x"] },
      { accessKeyId: "AKIAOTHER" },
    );
    expect(unknownKey.status).toBe(403);
    expect(unknownKey.body.__type).toBe("UnrecognizedClientException");
  });

  it("an unsigned call is refused with 403", async () => {
    const res = await fetch(`${standInUrl("ecr")}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${ECR_TARGET}.DescribeRepositories`,
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(new TextDecoder().decode(await res.arrayBuffer()))).toMatchObject({
      __type: "MissingAuthenticationTokenException",
    });
  });

  it("a wrong X-Amz-Target is 400 UnknownOperationException", async () => {
    const ecr = await awsCall("ecr", `${ECR_TARGET}.StartBuild`, {});
    expect(ecr).toMatchObject({ status: 400, body: { __type: "UnknownOperationException" } });
    const cb = await awsCall("codebuild", `${ECR_TARGET}.BatchGetBuilds`, { ids: ["x"] });
    expect(cb).toMatchObject({ status: 400, body: { __type: "UnknownOperationException" } });
  });

  it("ECR: a taken name, a missing image and a non-empty repository are refused like ECR", async () => {
    const name = repoName();
    await awsCall("ecr", `${ECR_TARGET}.CreateRepository`, { repositoryName: name });
    const again = await awsCall("ecr", `${ECR_TARGET}.CreateRepository`, { repositoryName: name });
    expect(again).toMatchObject({ status: 400, body: { __type: "RepositoryAlreadyExistsException" } });
    const image = await awsCall("ecr", `${ECR_TARGET}.DescribeImages`, {
      repositoryName: name,
      imageIds: [{ imageTag: "abc" }],
    });
    expect(image).toMatchObject({ status: 400, body: { __type: "ImageNotFoundException" } });
    const uri = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}:abc`;
    await fetch(`${standInUrl("ecr")}/__dev/push`, {
      method: "POST",
      body: JSON.stringify({ imageUri: uri }),
    });
    const notEmpty = await awsCall("ecr", `${ECR_TARGET}.DeleteRepository`, { repositoryName: name });
    expect(notEmpty).toMatchObject({ status: 400, body: { __type: "RepositoryNotEmptyException" } });
    const forced = await awsCall("ecr", `${ECR_TARGET}.DeleteRepository`, {
      repositoryName: name,
      force: true,
    });
    expect(forced.status).toBe(200);
  });

  it("ECR GetAuthorizationToken hands out base64 AWS:<password> valid for 12 hours", async () => {
    const r = await awsCall("ecr", `${ECR_TARGET}.GetAuthorizationToken`, {});
    const data = (
      r.body.authorizationData as { authorizationToken: string; expiresAt: number; proxyEndpoint: string }[]
    )[0]!;
    expect(atob(data.authorizationToken)).toMatch(/^AWS:.{16,}$/);
    expect(data.expiresAt * 1000 - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(data.proxyEndpoint).toBe("https://123456789012.dkr.ecr.us-east-1.amazonaws.com");
  });

  it("CodeBuild: another project is not found; a reused token with other parameters is refused", async () => {
    const start = {
      projectName: "app-builds",
      sourceTypeOverride: "S3",
      sourceLocationOverride: "app-snapshots/nowhere.zip",
      idempotencyToken: crypto.randomUUID(),
    };
    const other = await awsCall("codebuild", `${CB_TARGET}.StartBuild`, { ...start, projectName: "other" });
    expect(other).toMatchObject({ status: 400, body: { __type: "ResourceNotFoundException" } });
    const first = await awsCall("codebuild", `${CB_TARGET}.StartBuild`, start);
    const same = await awsCall("codebuild", `${CB_TARGET}.StartBuild`, start);
    expect((same.body.build as { id: string }).id).toBe((first.body.build as { id: string }).id);
    const changed = await awsCall("codebuild", `${CB_TARGET}.StartBuild`, {
      ...start,
      sourceLocationOverride: "app-snapshots/else.zip",
    });
    expect(changed).toMatchObject({ status: 400, body: { __type: "InvalidInputException" } });
  });

  it("CodeBuild: a missing source object fails the build in DOWNLOAD_SOURCE", async () => {
    const started = await awsCall("codebuild", `${CB_TARGET}.StartBuild`, {
      projectName: "app-builds",
      sourceTypeOverride: "S3",
      sourceLocationOverride: `app-snapshots/missing/${crypto.randomUUID()}.zip`,
    });
    const id = (started.body.build as { id: string }).id;
    let build: { buildStatus: string; phases: { phaseType: string; phaseStatus?: string }[] } | undefined;
    for (let i = 0; i < 6; i++) {
      const r = await awsCall("codebuild", `${CB_TARGET}.BatchGetBuilds`, { ids: [id] });
      build = (r.body.builds as (typeof build)[])[0];
      if (build?.buildStatus !== "IN_PROGRESS") break;
    }
    expect(build?.buildStatus).toBe("FAILED");
    expect(build?.phases.find((p) => p.phaseStatus === "FAILED")?.phaseType).toBe("DOWNLOAD_SOURCE");
  });

  it("fault injection fails exactly `times` matching requests (503 twice, then the real answer)", async () => {
    const name = repoName();
    const fault = { match: "CreateRepository", bodyMatch: name, status: 503, times: 2 };
    await fetch(`${standInUrl("ecr")}/__dev/fail`, { method: "POST", body: JSON.stringify(fault) });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await awsCall("ecr", `${ECR_TARGET}.CreateRepository`, { repositoryName: name })).status,
      );
    }
    expect(statuses).toEqual([503, 503, 200]);
  });
});

describe("Koyeb and Neon stand-ins", () => {
  const koyeb = (path: string, init: RequestInit = {}, token = "test-koyeb-token") =>
    fetch(`${standInUrl("koyeb")}${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    });

  it("Koyeb without a token, or with a wrong one, is 401 with Koyeb's error shape", async () => {
    for (const token of ["", "wrong"]) {
      const res = await koyeb("/v1/apps", {}, token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        status: 401,
        code: "authentication_error",
        message: "Request unauthenticated with bearer",
      });
    }
  });

  it("Koyeb: an app name is unique, and a service without an image is refused with its field", async () => {
    const name = `app-${crypto.randomUUID()}`;
    const created = await koyeb("/v1/apps", { method: "POST", body: JSON.stringify({ name }) });
    const app = ((await created.json()) as { app: { id: string; domains: { name: string }[] } }).app;
    expect(app.domains.map((d) => d.name)).toEqual([`${name}-appbuilder.koyeb.app`]);
    const clash = await koyeb("/v1/apps", { method: "POST", body: JSON.stringify({ name }) });
    expect(clash.status).toBe(409);
    const service = await koyeb("/v1/services", {
      method: "POST",
      body: JSON.stringify({ app_id: app.id, name: "web", definition: { docker: {} } }),
    });
    expect(service.status).toBe(400);
    expect(await service.json()).toMatchObject({
      code: "invalid_argument",
      fields: [{ field: "definition.docker.image" }],
    });
    expect((await koyeb(`/v1/apps/${app.id}`, { method: "DELETE" })).status).toBe(200);
  });

  it("Neon without the API key is 401; with it a project comes with a connection URI", async () => {
    const url = `${standInUrl("neon")}/api/v2/projects`;
    expect((await fetch(url, { method: "POST", body: "{}" })).status).toBe(401);
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: "Bearer test-neon-key", "content-type": "application/json" },
      body: JSON.stringify({ project: { name: `stand-in-${crypto.randomUUID()}` } }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      project: { id: string };
      connection_uris: { connection_uri: string }[];
    };
    expect(body.connection_uris[0]!.connection_uri).toMatch(
      /^postgresql:\/\/neondb_owner:[^@]+@ep-.+\/neondb\?sslmode=require$/,
    );
    const del = await fetch(`${url}/${body.project.id}`, {
      method: "DELETE",
      headers: { authorization: "Bearer test-neon-key" },
    });
    expect(del.status).toBe(200);
  });
});
