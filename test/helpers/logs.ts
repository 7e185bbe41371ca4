import { expect } from "vitest";
import type { Db } from "../../src/db/client";
import type { DeploymentRow } from "../../src/db/schema";
import { deployKoyebService, ensureKoyebApp, ensureRegistrySecret } from "../../src/services/deploy";
import { call } from "./api";
import { buildImage, seedImage, waitForDeployment } from "./deploy";
import { standInUrl, testContext } from "./env";
import { addDeployment, createApp } from "./factories";
import { createUser, type TestUser } from "./users";

// Deployments with logs in the CloudWatch Logs and Koyeb stand-ins, and reads of them through the
// API, for the deployment logs tests.

/** As the workflows call the deploy services: no request, no caller. */
const ctx = testContext();

export const BUILD_LOG_GROUP = "/aws/codebuild/app-builds";
/** The build's log stream: CodeBuild names it after the build id's UUID. */
export const streamOf = (buildId: string) => buildId.slice(buildId.indexOf(":") + 1);

export interface LogsRead {
  res: Response;
  status: number;
  text: string;
  lines: string[];
  next: string | null;
  hasMore: string | null;
}

export async function readLogs(
  token: string,
  appId: string,
  deploymentId: string,
  query = "",
): Promise<LogsRead> {
  const res = await call("GET", `/apps/${appId}/deployments/${deploymentId}/logs${query}`, { token });
  const text = await res.text();
  return {
    res,
    status: res.status,
    text,
    lines: text.split("\n").filter(Boolean),
    next: res.headers.get("x-next-cursor"),
    hasMore: res.headers.get("x-has-more"),
  };
}

/** Every page from the start (or `cursor`), following `x-next-cursor` while `x-has-more` says so. */
export async function readAllPages(token: string, appId: string, deploymentId: string, query: string) {
  const pages: LogsRead[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await readLogs(
      token,
      appId,
      deploymentId,
      `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(page.status).toBe(200);
    pages.push(page);
    cursor = page.next;
    if (!cursor || page.hasMore !== "true") break;
  }
  return pages;
}

/** A line as the API writes it: `<ISO time> <text>`. */
export const textOf = (line: string) => {
  expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  return line.slice(25);
};

export async function addBuildLines(buildId: string, messages: string[]) {
  const res = await fetch(`${standInUrl("logs")}/__dev/events`, {
    method: "POST",
    body: JSON.stringify({ logGroupName: BUILD_LOG_GROUP, logStreamName: streamOf(buildId), messages }),
  });
  expect(res.status).toBe(200);
}

export async function addRuntimeLines(koyebDeploymentId: string, lines: { msg: string; stream?: string }[]) {
  const res = await fetch(`${standInUrl("koyeb")}/__dev/deployments/${koyebDeploymentId}/logs`, {
    method: "POST",
    body: JSON.stringify({ lines }),
  });
  expect(res.status).toBe(200);
}

export interface Seeded {
  user: TestUser;
  appId: string;
  dep: DeploymentRow;
}

/** A user's app whose deployment's image was built (by the CodeBuild stand-in) from `files`. */
export async function builtDeployment(
  db: Db,
  files: Record<string, string>,
  row: Partial<DeploymentRow> = {},
): Promise<Seeded & { buildId: string }> {
  const user = await createUser();
  const app = await createApp(db, user.id);
  const built = await buildImage(app.id, files);
  const dep = await addDeployment(db, app.id, user.id, {
    status: built.build.status === "succeeded" ? "deploying" : "failed",
    buildId: built.buildId,
    imageUri: built.imageUri,
    commitSha: built.commitSha,
    ...row,
  });
  return { user, appId: app.id, dep, buildId: built.buildId };
}

/** A user's app whose image runs on Koyeb (the stand-in's deployment has gone healthy). */
export async function runningDeployment(db: Db, row: Partial<DeploymentRow> = {}) {
  const user = await createUser();
  const app = await createApp(db, user.id);
  const { koyebAppId } = await ensureKoyebApp({ ctx, input: { appId: app.id } });
  await ensureRegistrySecret({ ctx });
  const imageUri = await seedImage(app.id);
  const service = await deployKoyebService({
    ctx,
    input: {
      koyebAppId,
      imageUri,
      env: { SERVER_PORT: "80" },
    },
  });
  await waitForDeployment(service.deploymentId);
  const dep = await addDeployment(db, app.id, user.id, {
    status: "healthy",
    imageUri,
    koyebDeploymentId: service.deploymentId,
    createdAt: new Date(Date.now() - 5_000),
    ...row,
  });
  return { user, appId: app.id, dep, koyebDeploymentId: service.deploymentId };
}

/** Lines younger than this are left for the next read of Koyeb's query (sources.ts KOYEB_SETTLE_MS). */
export const settle = () => new Promise((r) => setTimeout(r, 2_100));
