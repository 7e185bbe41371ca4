import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { type DeleteAppParams, publishInstanceId, sessionStub } from "../bindings";
import { loadConfig } from "../config";
import { serviceContext } from "../context";
import { createLogger } from "../logger";
import { loadApp } from "../services/apps/resources";
import { deleteEcrRepository, deleteKoyebApp, deleteNeonDatabase } from "../services/deploy";
import { cancelActiveDeployments } from "../services/deployments/record";
import { archiveRepository } from "../services/github";
import { deleteAppObjects } from "../services/snapshots";
import { githubFor } from "./github-steps";
import { attempt, STEP } from "./step-policy";

const ENDED = new Set<InstanceStatus["status"]>(["complete", "errored", "terminated"]);

/**
 * Removes everything an app created, after the route has set `deleted_at`: the run and publish
 * workflows first (so nothing new appears), then Koyeb, ECR, S3, Neon, the GitHub repository
 * (archived, when the platform owns it) and the session's storage. Each step is idempotent.
 *
 * The app's resource ids are read only once publishing has stopped, and a resource is looked up
 * by its derived name when no id was recorded: a publish step stopped between making a resource
 * and recording it must not leave that resource behind.
 */
export class DeleteAppWorkflow extends WorkflowEntrypoint<Env, DeleteAppParams> {
  override async run(event: Readonly<WorkflowEvent<DeleteAppParams>>, step: WorkflowStep): Promise<void> {
    const { appId } = event.payload;
    const config = loadConfig(this.env);
    const log = createLogger({ component: "delete-app-workflow", appId });
    // No request: each service call that reaches Postgres opens a short-lived handle of its own.
    const ctx = serviceContext({ config, logger: log });
    const known = await step.do("load app", STEP, async () => {
      const row = await loadApp({ ctx, input: { appId } });
      return row ? { snapshotVersion: row.snapshotVersion ?? 0 } : null;
    });
    if (!known) return;

    await step.do("stop the run", STEP, async () => {
      await sessionStub(this.env, appId).cancel();
    });
    await step.do("stop publishing", STEP, async () => {
      // One past the recorded version: a version whose snapshot exists may not be mirrored yet.
      for (let v = 1; v <= known.snapshotVersion + 1; v++) {
        const instance = await this.env.PUBLISH_WORKFLOW.get(publishInstanceId(appId, v)).catch(() => null);
        if (!instance) continue;
        // A failed terminate of a live instance fails the step (and is retried); an ended one is left.
        if (!ENDED.has((await instance.status()).status)) await instance.terminate();
      }
      await cancelActiveDeployments({ ctx, input: { appId, reason: "app deleted" } });
    });
    const app = await step.do("load resources", STEP, async () => {
      const row = await loadApp({ ctx, input: { appId } });
      if (!row) return null;
      return {
        ownerId: row.ownerId,
        koyebAppId: row.koyebAppId,
        koyebServiceId: row.koyebServiceId,
        neonProjectId: row.neonProjectId,
        githubOwner: row.githubOwner,
        githubOwnerType: row.githubOwnerType,
        githubRepo: row.githubRepo,
      };
    });
    if (!app) return;
    await step.do("delete koyeb app", STEP, () =>
      attempt(() =>
        deleteKoyebApp({
          ctx,
          input: { appId, koyebAppId: app.koyebAppId, serviceId: app.koyebServiceId },
        }),
      ),
    );
    // Both are keyed by the app id and a no-op when nothing is there: no recorded id needed.
    await step.do("delete images", STEP, () => attempt(() => deleteEcrRepository({ ctx, input: { appId } })));
    await step.do("delete stored files", STEP, () =>
      attempt(() => deleteAppObjects({ ctx, input: { appId } })),
    );
    if (config.NEON_API_KEY) {
      await step.do("delete database", STEP, () =>
        attempt(() => deleteNeonDatabase({ ctx, input: { appId, projectId: app.neonProjectId } })),
      );
    }
    if (app.githubOwnerType === "org" && app.githubOwner && app.githubRepo) {
      const { githubOwner, githubRepo } = app;
      await step.do("archive repository", STEP, async () => {
        const gh = await githubFor(ctx, "org", githubOwner, app.ownerId);
        return attempt(() => archiveRepository({ gh, owner: githubOwner, repo: githubRepo }));
      });
    }
    await step.do("wipe session", STEP, () => sessionStub(this.env, appId).wipe());
    log.info("app deleted");
  }
}
