import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { loadConfig } from "../config";
import { withDb } from "../db/client";
import { createLogger } from "../logger";
import { deleteEcrRepository, deleteKoyebApp, deleteNeonProject } from "../services/deploy";
import { cancelActiveDeployments } from "../services/deployments/record";
import { sessionStub } from "../services/generation/session";
import { archiveRepository } from "../services/github";
import { deleteAppObjects } from "../services/snapshots";
import { attempt, loadApp, STEP } from "./common";
import { githubFor } from "./github-steps";
import { type DeleteAppParams, publishInstanceId } from "./types";

/**
 * Removes everything an app created, after the route has set `deleted_at`: the run and publish
 * workflows first (so nothing new appears), then Koyeb, ECR, S3, Neon, the GitHub repository
 * (archived, when the platform owns it) and the session's storage. Each step is idempotent.
 */
export class DeleteAppWorkflow extends WorkflowEntrypoint<Env, DeleteAppParams> {
  override async run(event: Readonly<WorkflowEvent<DeleteAppParams>>, step: WorkflowStep): Promise<void> {
    const { appId } = event.payload;
    const config = loadConfig(this.env);
    const log = createLogger({ component: "delete-app-workflow", appId });
    const app = await step.do("load app", STEP, async () => {
      const row = await loadApp(config, appId);
      if (!row) return null;
      return {
        ownerId: row.ownerId,
        snapshotVersion: row.snapshotVersion ?? 0,
        koyebAppId: row.koyebAppId,
        koyebServiceId: row.koyebServiceId,
        koyebDomainId: row.koyebDomainId,
        neonProjectId: row.neonProjectId,
        ecrRepository: row.ecrRepository,
        githubOwner: row.githubOwner,
        githubOwnerType: row.githubOwnerType,
        githubRepo: row.githubRepo,
      };
    });
    if (!app) return;

    await step.do("stop the run", STEP, async () => {
      await sessionStub(this.env, appId).cancel();
    });
    await step.do("stop publishing", STEP, async () => {
      for (let v = 1; v <= app.snapshotVersion; v++) {
        const instance = await this.env.PUBLISH_WORKFLOW.get(publishInstanceId(appId, v)).catch(() => null);
        await instance?.terminate().catch(() => undefined);
      }
      await withDb(config, (db) => cancelActiveDeployments(db, appId, "app deleted"));
    });
    if (app.koyebAppId || app.koyebServiceId) {
      await step.do("delete koyeb app", STEP, () =>
        attempt(() =>
          deleteKoyebApp(config, {
            koyebAppId: app.koyebAppId,
            serviceId: app.koyebServiceId,
            domainId: app.koyebDomainId,
          }),
        ),
      );
    }
    if (app.ecrRepository) {
      await step.do("delete images", STEP, () => attempt(() => deleteEcrRepository(config, appId)));
    }
    if (app.snapshotVersion > 0) {
      await step.do("delete stored files", STEP, () => attempt(() => deleteAppObjects(config, appId)));
    }
    if (app.neonProjectId && config.NEON_API_KEY) {
      const projectId = app.neonProjectId;
      await step.do("delete database", STEP, () => attempt(() => deleteNeonProject(config, projectId)));
    }
    if (app.githubOwnerType === "org" && app.githubOwner && app.githubRepo) {
      const { githubOwner, githubRepo } = app;
      await step.do("archive repository", STEP, async () => {
        const gh = await githubFor(config, "org", githubOwner, app.ownerId);
        return attempt(() => archiveRepository({ gh, owner: githubOwner, repo: githubRepo }));
      });
    }
    await step.do("wipe session", STEP, () => sessionStub(this.env, appId).wipe());
    log.info("app deleted");
  }
}
