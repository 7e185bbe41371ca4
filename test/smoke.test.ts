import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { missingCredentials } from "../scripts/smoke/credentials.mjs";
import { runJourney } from "../scripts/smoke/journey.mjs";
import { createProbes, installationToken } from "../scripts/smoke/probes.mjs";
import { appJwt } from "../src/clients/github-app-auth";
import { call } from "./helpers/api";
import { standInUrl } from "./helpers/env";
import { withFastWorkflows as fast, scenario, uniqueAppName } from "./helpers/publish";
import { createUser } from "./helpers/users";

// The smoke run's steps, pointed at the Worker in workerd and the stand-ins instead of the real
// services: the same journey, the same probes of what is left at each vendor.

const vars = env as unknown as Record<string, string>;
const probes = createProbes(vars, {
  githubToken: async () =>
    installationToken({
      apiUrl: vars.GITHUB_API_URL,
      org: vars.GITHUB_ORG!,
      jwt: await appJwt(vars.GITHUB_APP_ID!, vars.GITHUB_APP_PRIVATE_KEY!),
    }),
});
/** Koyeb's edge, as the Koyeb stand-in plays it. */
const fetchDeployed = (url: string) =>
  fetch(`${standInUrl("koyeb")}/__dev/edge?host=${encodeURIComponent(new URL(url).host)}`);
const quick = { stream: 30_000, deploy: 30_000, url: 5_000, delete: 30_000 };

async function journey(message: string) {
  const user = await createUser();
  const reported: { step: string; ok: boolean }[] = [];
  const result = await runJourney({
    api: (method: string, path: string, body?: unknown) => call(method, path, { token: user.token, body }),
    probes,
    fetchDeployed,
    message,
    timeouts: quick,
    everyMs: 200,
    report: (s: { step: string; ok: boolean }) => reported.push(s),
  });
  return { result, reported: reported.filter((s) => s.step !== "deployment status") };
}

describe("npm run smoke's journey against the stand-ins", () => {
  it("message → repository and commit → build → healthy → the URL answers → delete → nothing left", async () => {
    await fast(async () => {
      const { result, reported } = await journey(scenario("build", { name: uniqueAppName("smoke") }));
      expect(reported.map((s) => `${s.ok ? "ok" : "FAIL"} ${s.step}`)).toEqual([
        "ok message to the agent",
        "ok repository and commit",
        "ok image build and Koyeb deployment",
        "ok GET the deployed URL",
        "ok delete the app",
        "ok every resource gone",
      ]);
      expect(result.ok).toBe(true);
      expect(result.ids).toMatchObject({
        appId: expect.any(String),
        commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
        url: `https://app-${result.ids.appId}.koyeb.app`,
        httpStatus: 200,
      });
      const left = await probes.leftovers(result.ids.appId, result.ids.repositoryUrl);
      expect(left).toEqual({
        koyebApp: "gone",
        ecrRepository: "gone",
        s3Objects: "gone",
        neonProject: "gone",
        githubRepository: "archived",
      });
    });
  });

  it("a failing step (the image build) is reported, and the app is still deleted with nothing left", async () => {
    await fast(async () => {
      const { result, reported } = await journey(
        scenario("build", { name: uniqueAppName("smokefail"), docker: 0 }),
      );
      expect(reported.map((s) => `${s.ok ? "ok" : "FAIL"} ${s.step}`)).toEqual([
        "ok message to the agent",
        "ok repository and commit",
        "FAIL image build and Koyeb deployment",
        "ok delete the app",
        "ok every resource gone",
      ]);
      expect(result.ok).toBe(false);
    });
  });

  it("the probes see what an app left behind before it is deleted", async () => {
    await fast(async () => {
      const user = await createUser();
      const res = await call("POST", "/message", {
        token: user.token,
        body: { message: scenario("build", { name: uniqueAppName("probe") }) },
      });
      const appId = res.headers.get("x-app-id")!;
      await res.text();
      const left = await probes.leftovers(appId, null);
      expect(left.s3Objects).toBe("present");
      expect((await call("DELETE", `/apps/${appId}`, { token: user.token })).status).toBe(202);
    });
  });
});

describe("npm run smoke without credentials", () => {
  it("names each missing credential; a local stand-in value does not count", () => {
    const missing = missingCredentials({ ...vars, SMOKE_USER_TOKEN: "" }).map(
      (m: { name: string }) => m.name,
    );
    expect(missing).toContain("SMOKE_USER_TOKEN");
    expect(missing).toContain("KOYEB_API_TOKEN");
    expect(missing).toContain("STACK_API_URL");
    expect(missingCredentials({})).toHaveLength(15);
  });
});
