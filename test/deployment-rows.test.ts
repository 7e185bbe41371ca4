import { describe, expect, it } from "vitest";
import { publishInstanceId } from "../src/bindings";
import {
  advanceDeployment,
  deploymentIdFor,
  finishDeployment,
  recordDeployment,
} from "../src/services/deployments/record";
import { callJson } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { testContext } from "./helpers/env";
import { addDeployment, createApp } from "./helpers/factories";
import { deploymentsOf, getApp } from "./helpers/publish";
import { legacyStatus } from "./helpers/stand-in-state";
import { createUser } from "./helpers/users";

// Deployment rows: the status mapping of the older endpoint, and the record/supersede/finish rules
// the publish workflow relies on, exercised against the database directly.

const db = useTestDb();
/** As the publish workflow calls the services: no request, a short-lived handle per call. */
const ctx = testContext();

/** Records version `version` of `appId` the way the publish workflow's step does. */
async function record(appId: string, ownerId: string, version: number) {
  return recordDeployment({
    ctx,
    input: {
      id: await deploymentIdFor(appId, version),
      appId,
      ownerId,
      version,
      commitSha: `sha-${version}`,
      workflowInstanceId: publishInstanceId(appId, version),
    },
  });
}

describe("deployment rows", () => {
  it("legacy /deployment-status maps every status; others' deployments and apps are 404", async () => {
    const user = await createUser();
    const other = await createUser();
    const app = await createApp(db, user.id);
    const expected = {
      queued: "DEPLOYMENT_IN_PROGRESS",
      building: "DEPLOYMENT_IN_PROGRESS",
      deploying: "DEPLOYMENT_IN_PROGRESS",
      healthy: "HEALTHY",
      failed: "ERROR",
      cancelled: "STOPPING",
    } as const;
    let version = 0;
    for (const [status, type] of Object.entries(expected)) {
      const d = await addDeployment(db, app.id, user.id, {
        status: status as keyof typeof expected,
        version: ++version,
        reason: status === "failed" ? "boom" : null,
      });
      const got = await legacyStatus(user.token, d.id);
      expect(got).toMatchObject({ type, isDeployed: status === "healthy" });
      if (status === "failed") expect(got.message).toContain("boom");
      expect((await callJson("GET", `/deployment-status/${d.id}`, { token: other.token })).status).toBe(404);
    }
    expect((await callJson("GET", `/apps/${app.id}/deployments`, { token: other.token })).status).toBe(404);
    expect((await callJson("GET", `/apps/${app.id}/deployments`)).status).toBe(401);
    expect((await callJson("GET", "/deployment-status/not-a-uuid", { token: user.token })).status).toBe(404);
    const mine = await deploymentsOf(user.token, app.id);
    expect(mine.map((d) => d.status)).toEqual(Object.keys(expected).reverse());
  });

  it("recordDeployment/finishDeployment: a retried record makes no second row; a late older version never supersedes a newer one", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id);
    const rec = (version: number) => record(app.id, user.id, version);
    const v1 = await rec(1);
    expect(await rec(1)).toMatchObject({ id: v1.id, status: "queued" });
    expect(await advanceDeployment({ ctx, input: { id: v1.id, patch: { status: "building" } } })).toBe(true);
    const v2 = await rec(2);
    const rows = async () => (await deploymentsOf(user.token, app.id)).map((d) => [d.status, d.reason]);
    expect(await rows()).toEqual([
      ["queued", null],
      ["cancelled", "superseded"],
    ]);
    // The older workflow, waking up later, can neither move nor end its deployment.
    expect(await advanceDeployment({ ctx, input: { id: v1.id, patch: { status: "deploying" } } })).toBe(
      false,
    );
    expect(
      await finishDeployment({
        ctx,
        input: { id: v1.id, outcome: { status: "healthy", url: "https://old" } },
      }),
    ).toBe(false);
    expect(await getApp(user.token, app.id)).toMatchObject({ deployStatus: "deploying", appUrl: null });
    // A retried record of the older version changes nothing.
    await rec(1);
    expect(await rows()).toEqual([
      ["queued", null],
      ["cancelled", "superseded"],
    ]);
    expect(
      await finishDeployment({
        ctx,
        input: { id: v2.id, outcome: { status: "healthy", url: "https://new" } },
      }),
    ).toBe(true);
    expect(await getApp(user.token, app.id)).toMatchObject({
      deployStatus: "deployed",
      appUrl: "https://new",
    });
    // A retried record after the end neither reopens it nor sets the app back to deploying.
    await rec(2);
    expect(await getApp(user.token, app.id)).toMatchObject({
      deployStatus: "deployed",
      appUrl: "https://new",
    });
    expect((await rows())[0]).toEqual(["healthy", null]);
  });

  it("an older version recorded only after a newer one (a publish that lagged behind) starts superseded and changes nothing", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id);
    const rec = (version: number) => record(app.id, user.id, version);
    const v2 = await rec(2);
    expect(
      await finishDeployment({
        ctx,
        input: { id: v2.id, outcome: { status: "healthy", url: "https://new" } },
      }),
    ).toBe(true);
    const v1 = await rec(1);
    expect(v1).toMatchObject({ status: "cancelled", reason: "superseded" });
    expect(await advanceDeployment({ ctx, input: { id: v1.id, patch: { status: "building" } } })).toBe(false);
    expect(await getApp(user.token, app.id)).toMatchObject({
      deployStatus: "deployed",
      appUrl: "https://new",
    });
  });
});
