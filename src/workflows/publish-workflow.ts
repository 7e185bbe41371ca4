import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { type PublishParams, publishInstanceId } from "../bindings";
import { loadConfig } from "../config";
import { type ServiceContext, serviceContext } from "../context";
import { createLogger } from "../logger";
import { loadApp } from "../services/apps/resources";
import { deploymentLogsPath, type LogsType } from "../services/deployments/logs";
import {
  ACTIVE_STATUSES,
  deploymentIdFor,
  finishDeployment,
  recordDeployment,
} from "../services/deployments/record";
import { setHomepage } from "../services/github";
import { recordVersionCommit } from "../services/versions/record";
import {
  deployServiceStep,
  type PollResult,
  pollBuildStep,
  pollKoyebStep,
  startBuildStep,
  superseded,
} from "./deploy-steps";
import { doStep, failureOf, isWorkflowFailure, WorkflowFailure } from "./failures";
import { type CommitRef, commitStep, ensureRepoStep, githubFor, type RepoRef } from "./github-steps";
import { notify } from "./platform-message";
import { attempt, POLL, STEP } from "./step-policy";

/**
 * One app version, published: repository → commit → (the run's `done` follows) → deployment
 * recorded → image build → Koyeb service → healthy or failed. Every step is idempotent and
 * retried; a step that gives up ends in a clear platform message, never in silence.
 */
export class PublishWorkflow extends WorkflowEntrypoint<Env, PublishParams> {
  override async run(event: Readonly<WorkflowEvent<PublishParams>>, step: WorkflowStep): Promise<void> {
    const p = event.payload;
    const config = loadConfig(this.env);
    const log = createLogger({
      component: "publish-workflow",
      workflowId: event.instanceId,
      appId: p.appId,
      version: p.version,
    });
    const key = (what: string) => `v${p.version}:${what}`;
    // No request: each service call that reaches Postgres opens a short-lived handle of its own.
    const ctx = serviceContext({ config, logger: log });

    let repo: RepoRef;
    let commit: CommitRef;
    let failedStep = "ensure repository";
    try {
      repo = await doStep(step, "ensure repository", STEP, log, () => ensureRepoStep(ctx, p));
      failedStep = "commit";
      commit = await doStep(step, "commit version", STEP, log, () => commitStep(ctx, p, repo));
    } catch (err) {
      const failure = failureOf(err, `Publishing (${failedStep})`);
      log.error("publishing failed", { step: failedStep, code: failure.code, err });
      await step.do("report publish failure", STEP, () =>
        notify(
          this.env,
          p.appId,
          p.version,
          { type: "publish_failed", step: failedStep, reason: failure.reason },
          key("published"),
        ),
      );
      return;
    }
    // Diff sections not applied (binary, special files), then files the commit left out.
    const skippedList = [
      ...p.skippedPaths.map((path) => ({ path, reason: "not_applied" })),
      ...(commit.skipped ?? []),
    ];
    const skipped = skippedList.length
      ? { skippedPaths: skippedList.map((s) => s.path), skipped: skippedList }
      : {};
    // Before the commit is reported (which ends the run): the version list names it from `done` on.
    await step.do("record version commit", STEP, () =>
      recordVersionCommit({
        ctx,
        input: {
          appId: p.appId,
          version: p.version,
          commitSha: commit.commitSha,
          commitUrl: commit.commitUrl,
        },
      }),
    );
    await step.do("report commit", STEP, () =>
      notify(
        this.env,
        p.appId,
        p.version,
        commit.rootCommit
          ? {
              type: "repo_created",
              githubUrl: repo.repositoryUrl,
              commitUrl: commit.commitUrl,
              commitSha: commit.commitSha,
              ...skipped,
            }
          : { type: "commit_created", commitUrl: commit.commitUrl, commitSha: commit.commitSha, ...skipped },
        key("published"),
      ),
    );

    const recorded = await step.do("record deployment", STEP, async () => {
      const id = await deploymentIdFor(p.appId, p.version);
      const row = await recordDeployment({
        ctx,
        input: {
          id,
          appId: p.appId,
          ownerId: p.ownerId,
          version: p.version,
          commitSha: commit.commitSha,
          workflowInstanceId: publishInstanceId(p.appId, p.version),
        },
      });
      return { id, active: ACTIVE_STATUSES.includes(row.status) };
    });
    if (!recorded.active) {
      // A newer version's deployment came first (this publish lagged behind): deploy nothing.
      log.info("deployment superseded before it started");
      return;
    }
    const deploymentId = recorded.id;
    await step.do("report deployment start", STEP, () =>
      notify(
        this.env,
        p.appId,
        p.version,
        { type: "deployment_in_progress", deploymentId, deployStatus: "deploying" },
        key("deploying"),
      ),
    );

    // Whose logs tell why a failure happened: the build's while it runs, the instance's once Koyeb deploys.
    const stage: { logs: LogsType | null } = { logs: null };
    try {
      const url = await this.deploy(step, ctx, p, deploymentId, commit.commitSha, stage);
      const ended = await step.do("mark deployment healthy", STEP, () =>
        finishDeployment({ ctx, input: { id: deploymentId, outcome: { status: "healthy", url } } }),
      );
      if (!ended) return;
      await step.do("report deployment complete", STEP, () =>
        notify(
          this.env,
          p.appId,
          p.version,
          { type: "deployment_complete", deploymentId, deploymentUrl: url, deployStatus: "deployed" },
          key("deployed"),
        ),
      );
      await step
        .do("set repository homepage", STEP, async () => {
          const gh = await githubFor(ctx, repo.ownerType, repo.owner, p.ownerId);
          await attempt(() => setHomepage({ gh, owner: repo.owner, repo: repo.repo, homepage: url }));
        })
        .catch((err) => log.warn("homepage not set", { err }));
    } catch (err) {
      if (isWorkflowFailure(err, "superseded")) {
        log.info("deployment superseded");
        return;
      }
      const failure = failureOf(err, "The deployment");
      log.error("deployment failed", { code: failure.code, err });
      const logsUrl = stage.logs ? deploymentLogsPath(p.appId, deploymentId, stage.logs) : undefined;
      await this.fail(step, ctx, p, deploymentId, { reason: failure.reason, logsUrl }, key);
    }
  }

  /** Build and deploy; answers the app's URL once Koyeb reports the deployment healthy. */
  private async deploy(
    step: WorkflowStep,
    ctx: ServiceContext,
    p: PublishParams,
    deploymentId: string,
    commitSha: string,
    stage: { logs: LogsType | null },
  ): Promise<string> {
    const log = ctx.logger;
    const app = await step.do("check app", STEP, async () => {
      const row = await loadApp({ ctx, input: { appId: p.appId } });
      return { deleted: !row || row.deletedAt !== null };
    });
    if (app.deleted) throw superseded();
    const build = await doStep(step, "start image build", STEP, log, () =>
      startBuildStep(ctx, p, deploymentId, commitSha),
    );
    stage.logs = "build";
    await this.pollUntilDone(step, ctx, "build", () => pollBuildStep(ctx, build.buildId));
    stage.logs = null;
    const service = await doStep(step, "deploy service", STEP, log, () =>
      deployServiceStep(ctx, p, deploymentId, build.imageUri),
    );
    stage.logs = "runtime";
    await this.pollUntilDone(step, ctx, "koyeb", () => pollKoyebStep(ctx, service.koyebDeploymentId));
    return service.url;
  }

  /** Polls with `step.sleep` between tries, up to the deployment ceiling; past it → `timeout`. */
  private async pollUntilDone(
    step: WorkflowStep,
    ctx: ServiceContext,
    name: "build" | "koyeb",
    poll: () => Promise<PollResult>,
  ): Promise<void> {
    const { config, logger: log } = ctx;
    const everyS = config.DEPLOY_POLL_INTERVAL_S;
    const tries = Math.max(1, Math.ceil(config.DEPLOY_TIMEOUT_S / everyS));
    for (let i = 1; i <= tries; i++) {
      const r = await doStep(step, `poll ${name} ${i}`, POLL, log, poll);
      if (r.state === "succeeded") return;
      if (r.state === "failed") {
        if (r.detail) log.warn(`${name} failed`, { detail: r.detail });
        throw new WorkflowFailure(name === "build" ? "build_failed" : "deploy_failed", r.reason);
      }
      await step.sleep(`wait ${name} ${i}`, `${everyS} seconds`);
    }
    // The reason is exactly `timeout`: clients switch on it.
    throw new WorkflowFailure("timeout", "timeout");
  }

  private async fail(
    step: WorkflowStep,
    ctx: ServiceContext,
    p: PublishParams,
    deploymentId: string,
    { reason, logsUrl }: { reason: string; logsUrl?: string },
    key: (what: string) => string,
  ): Promise<void> {
    const ended = await step.do("mark deployment failed", STEP, () =>
      finishDeployment({ ctx, input: { id: deploymentId, outcome: { status: "failed", reason } } }),
    );
    if (!ended) return;
    await step.do("report deployment failure", STEP, () =>
      notify(
        this.env,
        p.appId,
        p.version,
        {
          type: "deployment_failed",
          deploymentId,
          deployStatus: "failed",
          reason,
          ...(logsUrl ? { logsUrl } : {}),
        },
        key("deployed"),
      ),
    );
  }
}
