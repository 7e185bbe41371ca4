import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deleteInstanceId, publishInstanceId } from "../src/bindings";
import { putObject } from "../src/clients/s3";
import { apps, deployments } from "../src/db/schema";
import type { AppWire } from "../src/services/apps/wire";
import { ensureEcrRepository, ensureKoyebApp } from "../src/services/deploy";
import { call, callJson } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { config, standInUrl, testContext } from "./helpers/env";
import { createApp } from "./helpers/factories";
import { sendMessage } from "./helpers/generation";
import { exportRepo, ORG } from "./helpers/github";
import {
  deploymentEnded,
  eventually,
  withFastWorkflows as fast,
  getApp,
  outline,
  reposTouched,
  run,
  scenario,
  uniqueAppName,
} from "./helpers/publish";
import { isDone, readSse } from "./helpers/sse";
import { ecrReposOf, koyebOf, neonProjectsOf, s3KeysOf } from "./helpers/stand-in-state";
import { createUser, type TestUser } from "./helpers/users";

/** As the workflows call the deploy services: no request, no caller. */
const ctx = testContext();

const db = useTestDb();

const usage = async (token: string) =>
  (await callJson<{ currentUsage: number }>("GET", "/message-limit", { token })).body.currentUsage;

/** Every read of the app, as `user`: each must answer 404. */
async function readsOf(user: TestUser, appId: string, deploymentId: string) {
  const paths = [
    `/apps/${appId}`,
    `/apps/${appId}/history`,
    `/apps/${appId}/read-url`,
    `/apps/${appId}/read-url?path=README.md`,
    `/apps/${appId}/deployments`,
    `/apps/${appId}/events`,
    `/deployment-status/${deploymentId}`,
  ];
  const out: Record<string, number> = {};
  for (const p of paths) out[p] = (await call("GET", p, { token: user.token })).status;
  out[`POST /apps/${appId}/cancel`] = (
    await call("POST", `/apps/${appId}/cancel`, { token: user.token })
  ).status;
  out["POST /message"] = (await sendMessage("more", { token: user.token, applicationId: appId })).status;
  return out;
}

/** Waits until the delete workflow of the app has run to its end. */
async function deleteFinished(appId: string) {
  await eventually("the delete workflow to complete", async () => {
    const status = await (await env.DELETE_APP_WORKFLOW.get(deleteInstanceId(appId))).status();
    if (status.status === "errored") throw new Error(`delete workflow errored: ${JSON.stringify(status)}`);
    return status.status === "complete" ? true : null;
  });
}

/** The S3 stand-in's requests for the app that have arrived and not been answered yet. */
async function s3InFlight(appId: string): Promise<number> {
  const res = await fetch(`${standInUrl("s3")}/__dev/stats?log`);
  const { log } = (await res.json()) as { log: { key: string; doneAt: number | null }[] };
  return log.filter((l) => l.key.includes(`/apps/${appId}/`) && l.doneAt === null).length;
}

/** Waits until no S3 request of the app is in flight and it holds no object, twice 300 ms apart. */
async function s3SettledEmpty(appId: string) {
  const empty = async () => (await s3InFlight(appId)) === 0 && (await s3KeysOf(appId)).length === 0;
  await eventually("the run's late writes to be taken back", async () => {
    if (!(await empty())) return null;
    await new Promise((r) => setTimeout(r, 300));
    return (await empty()) ? true : null;
  });
}

/** What the stand-ins still hold for the app. */
async function leftovers(appId: string) {
  const koyeb = await koyebOf(appId);
  return {
    koyebApps: koyeb.apps.length,
    koyebDomains: koyeb.domains.length,
    koyebServices: koyeb.services.length,
    ecr: (await ecrReposOf(appId)).length,
    s3: (await s3KeysOf(appId)).length,
    neon: (await neonProjectsOf(appId)).length,
  };
}
const NOTHING = { koyebApps: 0, koyebDomains: 0, koyebServices: 0, ecr: 0, s3: 0, neon: 0 };

describe("DELETE /apps/:id", () => {
  it("a deployed app: 202 deleting, gone from every read at once, every resource removed, the repository archived", async () => {
    await fast(async () => {
      const user = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("gone") }), { token: user.token });
      const d = await deploymentEnded(user.token, r.appId);
      expect(d.status).toBe("healthy");
      const app = await getApp(user.token, r.appId);
      expect(await leftovers(r.appId)).toMatchObject({ koyebApps: 1, koyebServices: 1, ecr: 1, neon: 1 });
      const used = await usage(user.token);
      expect(used).toBe(1);

      const del = await callJson("DELETE", `/apps/${r.appId}`, { token: user.token });
      expect(del.status).toBe(202);
      expect(del.body).toEqual({ id: r.appId, status: "deleting" });
      // At once, before the clean-up has run.
      expect(Object.values(await readsOf(user, r.appId, d.id))).toEqual(Array(9).fill(404));
      const list = await callJson<{ data: AppWire[] }>("GET", "/apps?limit=100", { token: user.token });
      expect(list.body.data.map((a) => a.id)).not.toContain(r.appId);
      expect((await call("DELETE", `/apps/${r.appId}`, { token: user.token })).status).toBe(404);
      // Deleting gives back no message (and the refused POST above counted none).
      expect(await usage(user.token)).toBe(used);

      await deleteFinished(r.appId);
      expect(await leftovers(r.appId)).toEqual(NOTHING);
      const repo = await exportRepo(app.githubOwner!, app.githubRepo!);
      expect(repo.archived).toBe(true);
      expect(repo.commits).toHaveLength(1);
      const [row] = await db.select().from(apps).where(eq(apps.id, r.appId));
      expect(row!.deletedAt).not.toBeNull();
    });
  });

  it("another user gets 404 on every read of the app, and their DELETE removes nothing", async () => {
    await fast(async () => {
      const owner = await createUser();
      const other = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("mine") }), { token: owner.token });
      const d = await deploymentEnded(owner.token, r.appId);
      expect(Object.values(await readsOf(other, r.appId, d.id))).toEqual(Array(9).fill(404));
      expect((await call("DELETE", `/apps/${r.appId}`, { token: other.token })).status).toBe(404);
      expect((await call("DELETE", `/apps/${r.appId}`)).status).toBe(401);
      expect((await call("DELETE", "/apps/not-a-uuid", { token: owner.token })).status).toBe(404);
      expect(await getApp(owner.token, r.appId)).toMatchObject({ deployStatus: "deployed" });
      expect(await leftovers(r.appId)).toMatchObject({ koyebApps: 1, ecr: 1 });
    });
  });

  it("DELETE during a run cancels it (error cancelled, then done) and nothing is published", async () => {
    await fast(async () => {
      const user = await createUser();
      const name = uniqueAppName("midrun");
      const res = await sendMessage(scenario("build", { name, delay: 300 }), { token: user.token });
      const appId = res.headers.get("x-app-id")!;
      const read = readSse(res, { until: isDone });
      await new Promise((r) => setTimeout(r, 400));
      expect((await call("DELETE", `/apps/${appId}`, { token: user.token })).status).toBe(202);
      expect(outline(await read).slice(-2)).toEqual(["error:cancelled", "done"]);
      await deleteFinished(appId);
      expect(await reposTouched(ORG, name)).toEqual([]);
      expect(await leftovers(appId)).toEqual(NOTHING);
    });
  });

  it("DELETE while the run's snapshot is being written: the run ends cancelled and nothing it wrote survives", async () => {
    await fast(async () => {
      const user = await createUser();
      const name = uniqueAppName("snapshot");
      const res = await sendMessage(scenario("build", { name, delay: 100 }), { token: user.token });
      const appId = res.headers.get("x-app-id")!;
      // Every S3 write of this app is slow, so DELETE lands while the snapshot is being stored.
      const slow = await fetch(`${standInUrl("s3")}/__dev/fail`, {
        method: "POST",
        body: JSON.stringify({
          match: `PUT /app-snapshots/apps/${appId}/`,
          status: 0,
          delayMs: 700,
          times: 1000,
        }),
      });
      expect(slow.status).toBe(200);
      const read = readSse(res, { until: isDone });
      await eventually("the agent to finish its answer", async () => {
        const records = (await (
          await fetch(`${standInUrl("agent")}/__dev/requests?applicationId=${appId}`)
        ).json()) as { outcome?: string }[];
        return records[0]?.outcome === "completed" ? true : null;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect((await call("DELETE", `/apps/${appId}`, { token: user.token })).status).toBe(202);
      expect(outline(await read).slice(-2)).toEqual(["error:cancelled", "done"]);
      await deleteFinished(appId);
      await s3SettledEmpty(appId);
      // The delay rule is left to run out: it names this app only, and clearing every rule would
      // take another test file's rules away while it runs.
      expect(await reposTouched(ORG, name)).toEqual([]);
      expect(await leftovers(appId)).toEqual(NOTHING);
    });
  });

  it("a snapshot write that lands after the delete workflow emptied the app's storage is taken back by the run", async () => {
    await fast(async () => {
      const user = await createUser();
      const name = uniqueAppName("late");
      const res = await sendMessage(scenario("build", { name }), { token: user.token });
      const appId = res.headers.get("x-app-id")!;
      // The snapshot's last write (the latest pointer) waits until the app is deleted.
      const gate = `PUT /app-snapshots/apps/${appId}/latest.json`;
      const s3 = standInUrl("s3");
      await fetch(`${s3}/__dev/hold`, { method: "POST", body: JSON.stringify({ match: gate }) });
      const read = readSse(res, { until: isDone });
      try {
        await eventually("the latest pointer's write to be held", async () =>
          (await s3InFlight(appId)) > 0 ? true : null,
        );
        expect((await call("DELETE", `/apps/${appId}`, { token: user.token })).status).toBe(202);
        expect(outline(await read).slice(-2)).toEqual(["error:cancelled", "done"]);
        await deleteFinished(appId);
      } finally {
        await fetch(`${s3}/__dev/release`, { method: "POST", body: JSON.stringify({ match: gate }) });
      }
      // The held write lands now, after the workflow's clean-up; the run takes it back.
      await s3SettledEmpty(appId);
      expect(await reposTouched(ORG, name)).toEqual([]);
      expect(await leftovers(appId)).toEqual(NOTHING);
    });
  });

  it("DELETE while the deployment is building stops the publish workflow and cancels the deployment", async () => {
    const user = await createUser();
    // Real sleeps for publishing: the deployment waits 15 s between build polls.
    const r = await run(scenario("build", { name: uniqueAppName("building") }), { token: user.token });
    const [dep] = await eventually("the build to start", async () => {
      const rows = await db.select().from(deployments).where(eq(deployments.appId, r.appId));
      return rows[0]?.status === "building" ? rows : null;
    });
    expect((await call("DELETE", `/apps/${r.appId}`, { token: user.token })).status).toBe(202);
    await deleteFinished(r.appId);
    const publish = await env.PUBLISH_WORKFLOW.get(publishInstanceId(r.appId, 1));
    expect((await publish.status()).status).toBe("terminated");
    const [row] = await db.select().from(deployments).where(eq(deployments.id, dep!.id));
    expect(row).toMatchObject({ status: "cancelled", reason: "app deleted" });
    expect(row!.finishedAt).not.toBeNull();
    expect(await leftovers(r.appId)).toEqual(NOTHING);
  });

  it("resources a terminated publish step made but never recorded (ECR, Koyeb, S3) are removed too", async () => {
    await fast(async () => {
      const user = await createUser();
      const app = await createApp(db, user.id);
      // As if publishing was stopped between making each resource and writing its id on the app.
      await ensureEcrRepository({ ctx, input: { appId: app.id } });
      await ensureKoyebApp({ ctx, input: { appId: app.id } });
      await putObject(config, `apps/${app.id}/v1/source.zip`, new Uint8Array([1, 2, 3]), "application/zip");
      expect(await leftovers(app.id)).toMatchObject({ koyebApps: 1, ecr: 1, s3: 1 });

      expect((await call("DELETE", `/apps/${app.id}`, { token: user.token })).status).toBe(202);
      await deleteFinished(app.id);
      expect(await leftovers(app.id)).toEqual(NOTHING);
    });
  });
});
