import { describe, expect, it } from "vitest";
import { callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { injectFault } from "./helpers/deploy";
import { config } from "./helpers/env";
import { addDeployment, createApp } from "./helpers/factories";
import {
  addBuildLines,
  addRuntimeLines,
  builtDeployment,
  readLogs,
  runningDeployment,
  settle,
  streamOf,
  textOf,
} from "./helpers/logs";
import {
  deploymentEnded,
  withFastWorkflows as fast,
  historyHas,
  run,
  scenario,
  uniqueAppName,
} from "./helpers/publish";
import { createUser } from "./helpers/users";

// GET /apps/:id/deployments/:deploymentId/logs: the image build's log (CloudWatch Logs, through
// CodeBuild) and the Koyeb instance's. Paging is in deployment-logs-paging.test.ts, following them
// live in deployment-logs-follow.test.ts.

const db = useTestDb();
const DOCKERFILE = "FROM node:20\nCOPY . .\nRUN npm ci\n";

describe("deployment logs", () => {
  it("a failed build's logs, read through the API, show the failing step", async () => {
    await fast(async () => {
      const user = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("logs-fail"), marker: "fail-build" }), {
        token: user.token,
      });
      const d = await deploymentEnded(user.token, r.appId);
      const failed = await historyHas(user.token, r.appId, "deployment_failed");
      const logsUrl = (failed.metadata as { logsUrl: string }).logsUrl;
      expect(logsUrl).toBe(`/apps/${r.appId}/deployments/${d.id}/logs?type=build`);

      const page = await readLogs(user.token, r.appId, d.id, logsUrl.slice(logsUrl.indexOf("?")));
      expect(page.status).toBe(200);
      expect(page.res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const text = page.lines.map(textOf);
      // The command that failed, the phase it failed in, and the script's own output before it.
      const failing = text.findIndex((l) => l.includes("Phase complete: BUILD State: FAILED"));
      expect(failing).toBeGreaterThan(0);
      expect(
        text.slice(0, failing).some((l) => l.includes('Running command docker build -t "$IMAGE_URI" .')),
      ).toBe(true);
      expect(
        text.slice(0, failing).some((l) => l.includes("Command did not exit successfully docker build")),
      ).toBe(true);
      expect(text.some((l) => l.includes("fail this build"))).toBe(true);
      expect(text.some((l) => l.includes("COMMAND_EXECUTION_ERROR"))).toBe(true);
      expect(text.some((l) => l.includes("POST_BUILD"))).toBe(false);
      // The build is over and all of it was read: no cursor.
      expect(page.next).toBeNull();
      expect(page.hasMore).toBe("false");
    });
  });

  it("a healthy deployment: the build's lines (account id redacted) and the instance's lines", async () => {
    await fast(async () => {
      const user = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("logs-ok") }), { token: user.token });
      const d = await deploymentEnded(user.token, r.appId);
      expect(d.status).toBe("healthy");
      const build = await readLogs(user.token, r.appId, d.id, "?type=build");
      const text = build.lines.map(textOf);
      expect(text).toContainEqual(expect.stringContaining("Phase complete: BUILD State: SUCCEEDED"));
      expect(text).toContainEqual(expect.stringContaining("Phase complete: POST_BUILD State: SUCCEEDED"));
      // Docker names the image by its registry host, which holds the AWS account id.
      const naming = text.find((l) => l.includes("naming to"));
      expect(naming).toBe(
        `${naming!.split(" ")[0]} naming to [redacted].dkr.ecr.us-east-1.amazonaws.com/apps/${r.appId}:${d.commitSha} done`,
      );
      expect(build.text).not.toContain("123456789012");
      expect(build.next).toBeNull();

      await settle();
      const runtime = await readLogs(user.token, r.appId, d.id, "?type=runtime");
      expect(runtime.status).toBe(200);
      expect(runtime.lines.map(textOf)).toEqual(
        expect.arrayContaining([
          "Server listening on port 80",
          "Instance is healthy. All health checks are passing.",
        ]),
      );
      // A healthy app goes on writing: there is always a cursor to read on from.
      expect(runtime.next).toBeTruthy();
      expect(runtime.hasMore).toBe("false");
    });
  });

  it("a Koyeb deployment that crashes: deployment_failed points at the runtime logs, which show the crash", async () => {
    await fast(async () => {
      const user = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("logs-crash"), marker: "koyeb-error" }), {
        token: user.token,
      });
      const d = await deploymentEnded(user.token, r.appId);
      const failed = await historyHas(user.token, r.appId, "deployment_failed");
      expect((failed.metadata as { logsUrl: string }).logsUrl).toBe(
        `/apps/${r.appId}/deployments/${d.id}/logs?type=runtime`,
      );
      await settle();
      const page = await readLogs(user.token, r.appId, d.id, "?type=runtime");
      const text = page.lines.map(textOf);
      expect(text).toContain("the app crashed on start: port 80 not bound");
      expect(text.at(-1)).toBe("Instance stopped: the application exited with code 1");
      // The instance is gone and its last lines were read: complete.
      expect(page.next).toBeNull();
    });
  });

  it("our credentials and account ids never appear: build and runtime lines are redacted", async () => {
    const pemLine = config.GITHUB_APP_PRIVATE_KEY!.split("\n")[1]!;
    const leaks = [
      `key material ${pemLine}`,
      "AWS key AKIATESTKEY and secret test-aws-secret",
      "other key AKIAIOSFODNN7EXAMPLE in an env dump",
      "koyeb token test-koyeb-token, neon key test-neon-key",
      "cloning with ghs_16C7e42F292c6912E7710c838347Ae178B4a and ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "DATABASE_URL=postgresql://app_owner:npg_s3cr3tPassw0rd@ep-cool-1.eu-central-1.aws.neon.tech/app",
      "assumed arn:aws:iam::123456789012:role/service-role/app-builds",
      "pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/apps/x:1",
      "account 123456789012 is ours",
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl",
    ];
    const secrets = [
      pemLine,
      "AKIATESTKEY",
      "test-aws-secret",
      "AKIAIOSFODNN7EXAMPLE",
      "test-koyeb-token",
      "test-neon-key",
      "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "npg_s3cr3tPassw0rd",
      "123456789012",
      "wJalrXUtnFEMI",
      "eyJhbGciOiJFUzI1NiJ9",
    ];
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE });
    await addBuildLines(s.buildId, leaks);
    const build = await readLogs(s.user.token, s.appId, s.dep.id, "?type=build&limit=1000");
    const run = await runningDeployment(db, { imageUri: s.dep.imageUri });
    await addRuntimeLines(
      run.koyebDeploymentId,
      leaks.map((msg) => ({ msg, stream: "stderr" })),
    );
    await settle();
    const runtime = await readLogs(run.user.token, run.appId, run.dep.id, "?type=runtime&limit=1000");
    for (const page of [build, runtime]) {
      for (const secret of secrets) expect(page.text).not.toContain(secret);
      const text = page.lines.map(textOf);
      // The rest of each line is left as the app wrote it.
      expect(text).toContain("AWS key [redacted] and secret [redacted]");
      expect(text).toContain(
        "DATABASE_URL=postgresql://app_owner:[redacted]@ep-cool-1.eu-central-1.aws.neon.tech/app",
      );
      expect(text).toContain("assumed arn:aws:iam::[redacted]:role/service-role/app-builds");
      expect(text).toContain("account [redacted] is ours");
    }
  });

  it("validation: a bad type, limit, follow or cursor is 400; a cursor of another deployment or type too", async () => {
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE }, { status: "building" });
    const other = await addDeployment(db, s.appId, s.user.id, { version: 2 });
    const page = await readLogs(s.user.token, s.appId, s.dep.id, "?type=build&limit=3");
    const base = `/apps/${s.appId}/deployments/${s.dep.id}/logs`;
    for (const query of [
      "?type=stdout",
      "?limit=0",
      "?limit=1001",
      "?limit=abc",
      "?follow=maybe",
      "?cursor=not-a-cursor",
      "?cursor=eyJkIjoieCJ9",
      `?type=runtime&cursor=${page.next}`,
    ]) {
      expectProblem(
        await callJson("GET", `${base}${query}`, { token: s.user.token }),
        400,
        "validation_failed",
      );
    }
    const otherBase = `/apps/${s.appId}/deployments/${other.id}/logs`;
    const r = await callJson<{ errors: { path: string }[] }>("GET", `${otherBase}?cursor=${page.next}`, {
      token: s.user.token,
    });
    expectProblem(r, 400, "validation_failed");
    expect(r.body.errors[0]!.path).toBe("cursor");
  });

  it("authorization: no token is 401; another user's app, another app's deployment or an unknown one is 404", async () => {
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE });
    const stranger = await createUser();
    const strangerApp = await createApp(db, stranger.id);
    const path = (appId: string, depId: string) => `/apps/${appId}/deployments/${depId}/logs?type=build`;
    expectProblem(await callJson("GET", path(s.appId, s.dep.id)), 401, "unauthorized");
    expectProblem(
      await callJson("GET", path(s.appId, s.dep.id), { token: stranger.token }),
      404,
      "not_found",
    );
    // The stranger's own app id with this deployment: not theirs either.
    expectProblem(
      await callJson("GET", path(strangerApp.id, s.dep.id), { token: stranger.token }),
      404,
      "not_found",
    );
    // The owner's other app with this deployment's id: not a deployment of that app.
    const mine = await createApp(db, s.user.id);
    expectProblem(await callJson("GET", path(mine.id, s.dep.id), { token: s.user.token }), 404, "not_found");
    expectProblem(
      await callJson("GET", path(s.appId, crypto.randomUUID()), { token: s.user.token }),
      404,
      "not_found",
    );
    expectProblem(
      await callJson("GET", path(s.appId, "not-a-uuid"), { token: s.user.token }),
      404,
      "not_found",
    );
  });

  it("upstream faults are named: CloudWatch Logs 503, CodeBuild throttling, Koyeb 500 → 503", async () => {
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE });
    await injectFault("logs", {
      match: "GetLogEvents",
      status: 503,
      times: 5,
      bodyMatch: streamOf(s.buildId),
    });
    const cw = await callJson<{ detail: string }>("GET", `/apps/${s.appId}/deployments/${s.dep.id}/logs`, {
      token: s.user.token,
    });
    expectProblem(cw, 503, "upstream_unavailable");
    expect(cw.body.detail).toMatch(/^CloudWatch Logs is not answering/);

    await injectFault("codebuild", { match: "BatchGetBuilds", status: 400, times: 1, bodyMatch: s.buildId });
    const cb = await callJson<{ detail: string }>("GET", `/apps/${s.appId}/deployments/${s.dep.id}/logs`, {
      token: s.user.token,
    });
    // A 400 ThrottlingException is worth a retry: named, and 503.
    expect(cb.status).toBe(503);
    expect(cb.body.detail).toMatch(/^CodeBuild is not answering/);

    const run = await runningDeployment(db);
    await injectFault("koyeb", {
      match: `GET /v1/streams/logs/query?type=runtime&deployment_id=${run.koyebDeploymentId}`,
      status: 500,
      times: 5,
    });
    const ky = await callJson<{ detail: string }>(
      "GET",
      `/apps/${run.appId}/deployments/${run.dep.id}/logs?type=runtime`,
      { token: run.user.token },
    );
    expectProblem(ky, 503, "upstream_unavailable");
    expect(ky.body.detail).toMatch(/^Koyeb's log service is not answering/);
  });
});
