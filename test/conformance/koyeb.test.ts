import { describe, expect, it } from "vitest";
import { KOYEB_DEPLOYMENT_STATUSES, listDomains } from "../../src/clients/koyeb";
import {
  deployKoyebService,
  ensureKoyebApp,
  ensureRegistrySecret,
  getKoyebDeployment,
} from "../../src/services/deploy";
import { type KoyebState, seedImage, state, waitForDeployment } from "../helpers/deploy";
import { config, standInUrl, testContext } from "../helpers/env";

// Koyeb publishes no executable specification on npm. Each fact read from its OpenAPI description
// (koyeb/koyeb-api-client-go, api/v1/koyeb/openapi.json) is a behaviour of the stand-in, checked
// here, and our client is checked against that behaviour.

/** As the workflows call the deploy services: no request, no caller. */
const ctx = testContext();

const koyeb = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${standInUrl("koyeb")}${path}`, {
    method,
    headers: { authorization: "Bearer test-koyeb-token", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers are read field by field below
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const newApp = async () => {
  const name = `app-${crypto.randomUUID()}`;
  const { body } = await koyeb("POST", "/v1/apps", { name });
  return body.app as { id: string; name: string; domains: { id: string; name: string; type: string }[] };
};
const definition = (image = "docker.io/library/nginx:latest") => ({
  type: "WEB",
  docker: { image },
  ports: [{ port: 80, protocol: "http" }],
  routes: [{ path: "/", port: 80 }],
  regions: ["was"],
  scalings: [{ min: 0, max: 1, targets: [{ sleep_idle_delay: { deep_sleep_value: 300 } }] }],
  instance_types: [{ type: "nano" }],
});

describe("Koyeb stand-in: facts from Koyeb's OpenAPI description", () => {
  it("an app is created with its AUTOASSIGNED domain <appName>-<orgName>.koyeb.app (App.domains)", async () => {
    const app = await newApp();
    expect(app.domains).toEqual([
      expect.objectContaining({
        name: `${app.name}-appbuilder.koyeb.app`,
        type: "AUTOASSIGNED",
        app_id: app.id,
      }),
    ]);
  });

  it("PATCH /v1/domains/{id} { subdomain } renames the auto-assigned domain; a taken one is 409", async () => {
    const [a, b] = [await newApp(), await newApp()];
    const sub = `s-${crypto.randomUUID()}`;
    const renamed = await koyeb("PATCH", `/v1/domains/${a.domains[0]!.id}`, { subdomain: sub });
    expect(renamed).toMatchObject({ status: 200, body: { domain: { name: `${sub}.koyeb.app` } } });
    const taken = await koyeb("PATCH", `/v1/domains/${b.domains[0]!.id}`, { subdomain: sub });
    expect(taken).toMatchObject({ status: 409, body: { code: "conflict" } });
    const bad = await koyeb("PATCH", `/v1/domains/${b.domains[0]!.id}`, { subdomain: "Not_A_Label" });
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: "subdomain" }] } });
  });

  it("GET /v1/domains filters by app_ids and types; an app_id parameter is ignored (the whole org)", async () => {
    const [a, b] = [await newApp(), await newApp()];
    const byIds = await koyeb("GET", `/v1/domains?app_ids=${a.id}&limit=100`);
    expect(byIds.body.domains.map((d: { app_id: string }) => d.app_id)).toEqual([a.id]);
    const both = await koyeb("GET", `/v1/domains?app_ids=${a.id}&app_ids=${b.id}&types=AUTOASSIGNED`);
    expect(both.body.domains).toHaveLength(2);
    const ignored = await koyeb("GET", `/v1/domains?app_id=${a.id}&limit=100`);
    expect(ignored.body.domains.some((d: { app_id: string }) => d.app_id === b.id)).toBe(true);
  });

  it("CreateService takes the name at its top level; a create naming it only in definition is refused", async () => {
    const app = await newApp();
    const deprecated = await koyeb("POST", "/v1/services", {
      app_id: app.id,
      definition: { ...definition(), name: "web" },
    });
    expect(deprecated).toMatchObject({ status: 400, body: { fields: [{ field: "name" }] } });
    const ok = await koyeb("POST", "/v1/services", { app_id: app.id, name: "web", definition: definition() });
    expect(ok).toMatchObject({ status: 200, body: { service: { name: "web", app_id: app.id } } });
    const listed = await koyeb("GET", `/v1/services?app_id=${app.id}&name=web`);
    expect(listed.body.services.map((s: { id: string }) => s.id)).toEqual([ok.body.service.id]);
  });

  it("scaling to zero (min 0) without a sleep_idle_delay target is refused", async () => {
    const app = await newApp();
    const res = await koyeb("POST", "/v1/services", {
      app_id: app.id,
      name: "web",
      definition: { ...definition(), scalings: [{ min: 0, max: 1 }] },
    });
    expect(res).toMatchObject({ status: 400, body: { fields: [{ field: "definition.scalings.targets" }] } });
  });

  it("a REGISTRY secret needs private_registry { username, password, url }", async () => {
    const name = `s-${crypto.randomUUID().slice(0, 8)}`;
    const missing = await koyeb("POST", "/v1/secrets", { name, type: "REGISTRY", value: "x" });
    expect(missing).toMatchObject({ status: 400, body: { fields: [{ field: "private_registry" }] } });
    const ok = await koyeb("POST", "/v1/secrets", {
      name,
      type: "REGISTRY",
      private_registry: { username: "AWS", password: "p", url: "r.example" },
    });
    expect(ok).toMatchObject({ status: 200, body: { secret: { type: "REGISTRY" } } });
    expect(ok.body.secret.private_registry.password).toBe("*****");
    await koyeb("DELETE", `/v1/secrets/${ok.body.secret.id}`);
  });

  it("a deployment can be in every documented status, and in no other", async () => {
    const app = await newApp();
    const { body } = await koyeb("POST", "/v1/services", {
      app_id: app.id,
      name: "web",
      definition: definition(),
    });
    const id = body.service.latest_deployment_id;
    for (const status of KOYEB_DEPLOYMENT_STATUSES) {
      expect((await koyeb("POST", `/__dev/deployments/${id}/status`, { status })).status).toBe(200);
    }
    expect((await koyeb("POST", `/__dev/deployments/${id}/status`, { status: "RUNNING" })).status).toBe(400);
  });
});

describe("our Koyeb client against those facts", () => {
  it("the app's URL is the auto-assigned domain as Koyeb reports it, renamed to app-<id>; no other domain is made", async () => {
    const appId = crypto.randomUUID();
    const ref = await ensureKoyebApp({ ctx, input: { appId } });
    const again = await ensureKoyebApp({ ctx, input: { appId, existingAppId: ref.koyebAppId } });
    expect(again).toEqual(ref);
    const s = await state<KoyebState>("koyeb");
    const domains = s.domains.filter((d) => d.app_id === ref.koyebAppId);
    expect(domains).toEqual([expect.objectContaining({ id: ref.domainId, type: "AUTOASSIGNED" })]);
    expect(ref.url).toBe(`https://${domains[0]!.name}`);
    expect(domains[0]!.name).toBe(`app-${appId}.koyeb.app`);
  });

  it("a subdomain taken elsewhere leaves the app the name Koyeb gave it, and that is the URL", async () => {
    const appId = crypto.randomUUID();
    const squatter = await newApp();
    await koyeb("PATCH", `/v1/domains/${squatter.domains[0]!.id}`, { subdomain: `app-${appId}` });
    const ref = await ensureKoyebApp({ ctx, input: { appId } });
    expect(ref.url).toBe(`https://app-${appId}-appbuilder.koyeb.app`);
  });

  it("listDomains lists only the app's domains", async () => {
    const [a] = [await newApp(), await newApp()];
    const listed = await listDomains(config, a!.id);
    expect(listed.map((d) => d.app_id)).toEqual([a!.id]);
  });

  it("a scale-to-zero deployment first seen SLEEPING is healthy", async () => {
    const appId = crypto.randomUUID();
    const { koyebAppId } = await ensureKoyebApp({ ctx, input: { appId } });
    await ensureRegistrySecret({ ctx });
    const imageUri = await seedImage(appId, { koyebSleep: "1" });
    const { deploymentId } = await deployKoyebService({
      ctx,
      input: {
        koyebAppId,
        imageUri,
        env: { SERVER_PORT: "80" },
      },
    });
    expect(await waitForDeployment(deploymentId)).toEqual({ status: "healthy", koyebStatus: "SLEEPING" });
  });

  it("every documented status has a meaning: pending, healthy or failed with Koyeb's instance messages", async () => {
    const appId = crypto.randomUUID();
    const { koyebAppId } = await ensureKoyebApp({ ctx, input: { appId } });
    await ensureRegistrySecret({ ctx });
    const imageUri = await seedImage(appId);
    const { deploymentId } = await deployKoyebService({
      ctx,
      input: {
        koyebAppId,
        imageUri,
        env: { SERVER_PORT: "80" },
      },
    });
    const meaning: Record<string, string> = {};
    for (const status of KOYEB_DEPLOYMENT_STATUSES) {
      await koyeb("POST", `/__dev/deployments/${deploymentId}/status`, {
        status,
        messages: ["Instance exited with code 1"],
      });
      const d = await getKoyebDeployment({ ctx, input: { deploymentId } });
      meaning[status] = d.status === "failed" ? `failed: ${d.reason}` : d.status;
    }
    const failed = "failed: Instance exited with code 1";
    expect(meaning).toEqual({
      PENDING: "pending",
      PROVISIONING: "pending",
      SCHEDULED: "pending",
      ALLOCATING: "pending",
      STARTING: "pending",
      DEGRADED: "pending",
      UNHEALTHY: "pending",
      HEALTHY: "healthy",
      SLEEPING: "healthy",
      CANCELING: failed,
      CANCELED: failed,
      STOPPING: failed,
      STOPPED: failed,
      ERRORING: failed,
      ERROR: failed,
      STASHED: failed,
    });
  });
});
