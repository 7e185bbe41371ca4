import { describe, expect, it } from "vitest";
import { useTestDb } from "./helpers/db";
import { injectFault } from "./helpers/deploy";
import { injectFault as injectGitHubFault, ORG } from "./helpers/github";
import {
  deploymentEnded,
  withFastWorkflows as fast,
  historyHas,
  historyOf,
  platformEvents,
  run,
  scenario,
  uniqueAppName,
} from "./helpers/publish";
import { createUser } from "./helpers/users";

// Reasons users see are written by this service: an upstream answer's text (it can name AWS
// accounts, ARNs, hosts) never reaches them, and no behaviour depends on an error's message.

useTestDb();

const LEAK = "arn:aws:iam::123456789012:role/secret-host.internal";

describe("reasons written by this service", () => {
  it("a Koyeb 400 whose text reads like our own 'superseded' marker fails the deployment, with our reason", async () => {
    await fast(async () => {
      const user = await createUser();
      // An app with no version yet (a clarifying question), so the fault can be aimed at its id.
      const { appId } = await run(scenario("refine"), { token: user.token });
      await injectFault("koyeb", {
        match: "POST /v1/services",
        bodyMatch: appId,
        status: 400,
        times: 1,
        message: `superseded: the deployment is no longer the app's current one (${LEAK})`,
      });
      await run(scenario("build", { name: uniqueAppName("k400") }), {
        token: user.token,
        applicationId: appId,
      });
      const d = await deploymentEnded(user.token, appId);
      expect(d).toMatchObject({ status: "failed", reason: "Koyeb refused a request (400)" });
      const failed = await historyHas(user.token, appId, "deployment_failed");
      expect(failed.metadata).toMatchObject({ reason: "Koyeb refused a request (400)" });
      expect(JSON.stringify(await historyOf(user.token, appId))).not.toContain("123456789012");
    });
  });

  it("a failed image build names its phase and status only, not CodeBuild's text", async () => {
    await fast(async () => {
      const user = await createUser();
      const r = await run(scenario("build", { name: uniqueAppName("nodocker"), docker: 0 }), {
        token: user.token,
      });
      const d = await deploymentEnded(user.token, r.appId);
      expect(d).toMatchObject({ status: "failed", reason: "Image build failed in phase BUILD (FAILED)" });
    });
  });

  it("GitHub refusing the repository: publish_failed says so without GitHub's text", async () => {
    const user = await createUser();
    const name = uniqueAppName("gh403");
    await injectGitHubFault({
      match: `POST /orgs/${ORG}/repos`,
      bodyIncludes: name,
      status: 403,
      times: 1000,
      body: { message: `Resource not accessible by integration (${LEAK})` },
    });
    const r = await run(scenario("build", { name }), { token: user.token, timeoutMs: 60_000 });
    const [failed] = platformEvents(r);
    expect(failed).toEqual({
      type: "publish_failed",
      step: "ensure repository",
      reason: "GitHub refused a request (403)",
    });
  }, 90_000);
});
