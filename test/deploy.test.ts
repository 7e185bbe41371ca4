import { env, introspectWorkflowInstance } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { publishInstanceId } from "../src/bindings";
import { deployments as deploymentsTable } from "../src/db/schema";
import { call } from "./helpers/api";
import { injectFault, state } from "./helpers/deploy";

interface ServiceDefinition {
  ports: { port: number }[];
  scalings: { min: number; max: number }[];
  env: { key: string; value: string }[];
}

import { useTestDb } from "./helpers/db";
import { sendMessage } from "./helpers/generation";
import { exportRepo } from "./helpers/github";
import {
  deploymentEnded,
  deploymentsOf,
  eventually,
  withFastWorkflows as fast,
  getApp,
  historyHas,
  historyOf,
  outline,
  platformEvents,
  run,
  scenario,
  uniqueAppName,
} from "./helpers/publish";
import { isDone, readSse } from "./helpers/sse";
import { ecrReposOf, faultsLeft, koyebOf, legacyStatus, neonProjectsOf } from "./helpers/stand-in-state";
import { createUser, type TestUser } from "./helpers/users";

const db = useTestDb();

/** An app with no version yet (a clarifying question), so faults can be aimed at its id. */
async function emptyApp(user: TestUser) {
  return (await run(scenario("refine"), { token: user.token })).appId;
}

describe("deployments", () => {
  it("a build → healthy with its URL; the events stream follows past done to deployment_complete and closes", async () => {
    await fast(async () => {
      const user = await createUser();
      const name = uniqueAppName("deploy");
      const res = await sendMessage(scenario("build", { name, delay: 30 }), { token: user.token });
      const appId = res.headers.get("x-app-id")!;
      // A second client follows the same app while the run is going.
      const follower = await call("GET", `/apps/${appId}/events`, { token: user.token });
      expect(follower.status).toBe(200);
      const [runRead, followed] = await Promise.all([
        readSse(res, { until: isDone }),
        readSse(follower, { timeoutMs: 30_000 }),
      ]);
      expect(outline(runRead).slice(-3)).toEqual(["repo_created", "deployment_in_progress", "done"]);
      const deploying = platformEvents(runRead)[1]!;
      expect(deploying).toMatchObject({ deployStatus: "deploying" });
      // The follower saw the run, its done, then the deployment's outcome, and was closed.
      expect(followed.ended).toBe(true);
      expect(outline(followed).slice(-4)).toEqual([
        "repo_created",
        "deployment_in_progress",
        "done",
        "deployment_complete",
      ]);
      const complete = platformEvents(followed).at(-1)!;

      const [d] = await deploymentsOf(user.token, appId);
      const url = `https://app-${appId}.koyeb.app`;
      expect(d).toMatchObject({ id: deploying.deploymentId, status: "healthy", url, reason: null });
      expect(d!.imageUri).toMatch(new RegExp(`/apps/${appId}:${d!.commitSha}$`));
      expect(d!.finishedAt).not.toBeNull();
      expect(complete).toEqual({
        type: "deployment_complete",
        deploymentId: d!.id,
        deploymentUrl: url,
        deployStatus: "deployed",
      });
      expect((await historyHas(user.token, appId, "deployment_complete")).metadata).toEqual(complete);

      // Every read agrees with the row.
      const app = await getApp(user.token, appId);
      expect(app).toMatchObject({ deployStatus: "deployed", appUrl: url, latestDeployment: d });
      const [row] = await db.select().from(deploymentsTable).where(eq(deploymentsTable.id, d!.id));
      expect(row).toMatchObject({ status: "healthy", url, commitSha: d!.commitSha, version: 1 });
      expect(await legacyStatus(user.token, d!.id)).toEqual({
        type: "HEALTHY",
        isDeployed: true,
        message: `The app is deployed and healthy: ${url}`,
      });

      // A client that comes after `done` replays the run to its deployment outcome, then the stream ends.
      const late = await readSse(await call("GET", `/apps/${appId}/events`, { token: user.token }));
      expect(late.ended).toBe(true);
      expect(outline(late).slice(-2)).toEqual(["done", "deployment_complete"]);

      const koyeb = await koyebOf(appId);
      expect(koyeb.apps).toHaveLength(1);
      expect(koyeb.deployments).toMatchObject([{ status: "HEALTHY", image: d!.imageUri }]);
      // The service: port 80, scale to zero, the app's own Neon database as APP_DATABASE_URL.
      const [neonProject] = await neonProjectsOf(appId);
      expect(neonProject).toBeDefined();
      const definition = (koyeb.deployments[0] as unknown as { definition: ServiceDefinition }).definition;
      expect(definition.ports).toEqual([expect.objectContaining({ port: 80 })]);
      expect(definition.scalings).toEqual([expect.objectContaining({ min: 0 })]);
      const envOf = (key: string) => definition.env.find((e) => e.key === key)?.value;
      expect(envOf("SERVER_PORT")).toBe("80");
      expect(envOf("APP_DATABASE_URL")).toMatch(/^postgres(ql)?:\/\//);
      // The repository's homepage points at the app (set after the deployment is healthy).
      await eventually("the repository homepage", async () => {
        const repo = await exportRepo(app.githubOwner!, app.githubRepo!);
        return repo.homepage === url ? true : null;
      });
    });
  });

  it.each([
    ["an image build without a Dockerfile", { docker: 0 }, /^Image build failed in phase BUILD \(FAILED\)$/],
    ["a failing build script", { marker: "fail-build" }, /^Image build failed in phase BUILD \(FAILED\)$/],
    ["a Koyeb deployment ERROR", { marker: "koyeb-error" }, /^Koyeb deployment ERROR: .*port 80 not bound/],
    [
      "a Koyeb deployment that never turns healthy (past DEPLOY_TIMEOUT_S)",
      { marker: "koyeb-hang" },
      /^timeout$/,
    ],
  ])("%s → failed with a reason and deployment_failed; no app URL", async (_what, options, reason) => {
    await fast(async () => {
      const user = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("fails"), ...options }), {
        token: user.token,
      });
      const d = await deploymentEnded(user.token, r.appId);
      expect(d).toMatchObject({ status: "failed", url: null });
      expect(d.reason).toMatch(reason);
      const failed = await historyHas(user.token, r.appId, "deployment_failed");
      // It points at the build's logs when the build failed, the instance's once Koyeb ran the image.
      const logs = "marker" in options && options.marker.startsWith("koyeb") ? "runtime" : "build";
      expect(failed.metadata).toEqual({
        type: "deployment_failed",
        deploymentId: d.id,
        deployStatus: "failed",
        reason: d.reason,
        logsUrl: `/apps/${r.appId}/deployments/${d.id}/logs?type=${logs}`,
      });
      expect(await getApp(user.token, r.appId)).toMatchObject({
        deployStatus: "failed",
        appUrl: null,
        latestDeployment: d,
      });
      expect(await legacyStatus(user.token, d.id)).toMatchObject({ type: "ERROR", isDeployed: false });
    });
  });

  it("steps failing twice then succeeding (ECR, CodeBuild, Koyeb 503s) → one healthy deployment, no duplicated resources", async () => {
    await fast(async () => {
      const user = await createUser();
      const appId = await emptyApp(user);
      await injectFault("ecr", { match: "CreateRepository", status: 503, times: 2, bodyMatch: appId });
      await injectFault("codebuild", { match: "StartBuild", status: 503, times: 2, bodyMatch: appId });
      await injectFault("koyeb", { match: "POST /v1/apps", status: 503, times: 2, bodyMatch: appId });
      await injectFault("koyeb", { match: "POST /v1/services", status: 500, times: 2, bodyMatch: appId });
      const r = await run(scenario("build", { name: uniqueAppName("retry") }), {
        token: user.token,
        applicationId: appId,
      });
      expect(outline(r).slice(-3)).toEqual(["repo_created", "deployment_in_progress", "done"]);
      expect(await deploymentEnded(user.token, appId)).toMatchObject({ status: "healthy" });
      expect(await deploymentsOf(user.token, appId)).toHaveLength(1);

      const ecr = await ecrReposOf(appId);
      expect(ecr).toHaveLength(1);
      expect(ecr[0]!.images).toHaveLength(1);
      const builds = (await state<{ builds: { source: string }[] }>("codebuild")).builds;
      expect(builds.filter((b) => b.source.includes(appId))).toHaveLength(1);
      const koyeb = await koyebOf(appId);
      // One domain: the one Koyeb gave the app, renamed.
      const ours = koyeb.domains.filter((d) => d.name === `app-${appId}.koyeb.app`);
      expect([koyeb.apps.length, ours.length, koyeb.domains.length, koyeb.services.length]).toEqual([
        1, 1, 1, 1,
      ]);
      expect(koyeb.deployments).toHaveLength(1);
      // Every injected failure was used: each step really failed twice first.
      for (const name of ["ecr", "codebuild", "koyeb"]) expect(await faultsLeft(name, appId)).toEqual([]);
      await historyHas(user.token, appId, "deployment_complete");
      const history = await historyOf(user.token, appId);
      expect(history.filter((h) => h.metadata?.type === "deployment_complete")).toHaveLength(1);
    });
  });

  it("a newer version's deployment supersedes the older one still in progress (cancelled, superseded)", async () => {
    const user = await createUser();
    const appId = await emptyApp(user);
    // Version 1 keeps its real 15 s sleeps (it stays `building`); version 2 runs without sleeps.
    const v2 = await introspectWorkflowInstance(env.PUBLISH_WORKFLOW, publishInstanceId(appId, 2));
    try {
      await v2.modify(async (m) => {
        await m.disableSleeps();
        await m.disableRetryDelays();
      });
      await run(scenario("build", { name: uniqueAppName("super") }), {
        token: user.token,
        applicationId: appId,
      });
      const [first] = await deploymentsOf(user.token, appId);
      expect(first!.status).toMatch(/^(queued|building)$/);
      expect(await getApp(user.token, appId)).toMatchObject({ deployStatus: "deploying", appUrl: null });
      expect(await legacyStatus(user.token, first!.id)).toMatchObject({ type: "DEPLOYMENT_IN_PROGRESS" });

      await run("add a due date", { token: user.token, applicationId: appId });
      const list = await deploymentsOf(user.token, appId);
      expect(list).toHaveLength(2);
      expect(list[1]).toMatchObject({ id: first!.id, status: "cancelled", reason: "superseded" });
      expect(await legacyStatus(user.token, first!.id)).toMatchObject({
        type: "STOPPING",
        isDeployed: false,
      });
      const second = await deploymentEnded(user.token, appId, list[0]!.id);
      expect(second.status).toBe("healthy");
      expect(await getApp(user.token, appId)).toMatchObject({ deployStatus: "deployed", appUrl: second.url });
    } finally {
      await v2.dispose();
      await env.PUBLISH_WORKFLOW.get(publishInstanceId(appId, 1))
        .then((i) => i.terminate())
        .catch(() => undefined);
    }
  });
});
