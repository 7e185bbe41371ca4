import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { builtFiles, editedFiles } from "./helpers/agent-trees";
import { callJson } from "./helpers/api";
import { exportRepo, injectFault, ORG, preCreateRepo } from "./helpers/github";
import {
  archiveOf,
  deploymentEnded,
  deploymentsOf,
  fastWorkflows,
  fileOf,
  getApp,
  historyOf,
  outline,
  platformEvents,
  repoOf,
  reposTouched,
  run,
  scenario,
  uniqueAppName,
} from "./helpers/publish";
import { createUser, type TestUser } from "./helpers/users";

const PROMPT = "a todo list";

let wf: Awaited<ReturnType<typeof fastWorkflows>>;
let user: TestUser;
beforeEach(async () => {
  wf = await fastWorkflows();
  user = await createUser();
});
afterEach(async () => {
  await wf.dispose();
});

/** A built app (its first version published and deployed), named `name` by the agent. */
async function built(name: string, options: Record<string, string | number> = {}) {
  const r = await run(scenario("build", { name, ...options }, PROMPT), { token: user.token });
  await deploymentEnded(user.token, r.appId);
  return r;
}

/** agent messages, then exactly `tail` (the idle agent message first). */
function expectOrder(o: string[], tail: string[]) {
  const head = o.slice(0, o.length - tail.length);
  expect(head.length).toBeGreaterThan(0);
  expect(new Set(head)).toEqual(new Set(["agent"]));
  expect(o.slice(-tail.length)).toEqual(tail);
}

describe("publishing a new app", () => {
  it("a build run: SSE order, one root commit holding exactly the built tree, the same tree in S3", async () => {
    const name = uniqueAppName("todo");
    const r = await run(scenario("build", { name }, PROMPT), { token: user.token });
    expectOrder(outline(r), ["agent:idle", "repo_created", "deployment_in_progress", "done"]);
    const [created, deploying] = platformEvents(r);

    const { app, exported, files } = await repoOf(user.token, r.appId);
    const expected = builtFiles(name, PROMPT);
    // Contents, modes (the executable script), the empty file and the missing final newline.
    expect(files).toEqual(expected);
    expect(exported.commits).toHaveLength(1);
    expect(exported.commits[0]).toMatchObject({ parents: [], message: `feat: ${PROMPT}` });
    expect(exported.private).toBe(true);

    expect(app).toMatchObject({
      repositoryUrl: `https://github.com/${ORG}/${name}`,
      githubOwner: ORG,
      githubRepo: name,
      snapshotVersion: 1,
      runStatus: "idle",
    });
    expect(created).toEqual({
      type: "repo_created",
      githubUrl: app.repositoryUrl,
      commitUrl: `${app.repositoryUrl}/commit/${exported.commits[0]!.sha}`,
      commitSha: exported.commits[0]!.sha,
    });
    const deployments = await deploymentsOf(user.token, r.appId);
    expect(deployments).toHaveLength(1);
    expect(deploying).toMatchObject({ type: "deployment_in_progress", deploymentId: deployments[0]!.id });
    expect(deployments[0]!.commitSha).toBe(exported.commits[0]!.sha);

    // The archive and every per-file URL give the same tree.
    const archive = await archiveOf(user.token, r.appId);
    expect(archive).toEqual({ version: 1, files: expected });
    for (const [path, entry] of Object.entries(expected)) {
      expect(await fileOf(user.token, r.appId, path)).toBe(entry.slice("100644 ".length));
    }

    // Platform messages are history rows too, with their metadata.
    const history = await historyOf(user.token, r.appId);
    const platform = history.filter((h) => h.messageKind === "PlatformMessage").map((h) => h.metadata);
    expect(platform.slice(0, 2)).toEqual([created, deploying]);
    await deploymentEnded(user.token, r.appId);
  });

  it("a name clash on GitHub gets a suffix; the other repository is left alone", async () => {
    const name = uniqueAppName("clash");
    await preCreateRepo(ORG, name);
    const r = await built(name);
    const { app, exported, files } = await repoOf(user.token, r.appId);
    expect(app.githubRepo).toMatch(new RegExp(`^${name}-[a-z0-9]{4}$`));
    expect(platformEvents(r)[0]).toMatchObject({ type: "repo_created", githubUrl: app.repositoryUrl });
    expect(files).toEqual(builtFiles(name, PROMPT));
    expect(exported.commits).toHaveLength(1);
    const theirs = await exportRepo(ORG, name);
    expect(theirs.commits.map((c) => c.message)).toEqual(["Initial commit"]);
    expect(theirs.files.map((f) => f.path)).toEqual(["README.md"]);
  });

  it("GitHub failing mid-workflow (lost create answer, 503s, lost ref answers) is retried: one repository, one commit", async () => {
    const name = uniqueAppName("flaky");
    const repoPath = `/repos/${ORG}/${name}`;
    await injectFault({ match: `POST /orgs/${ORG}/repos`, bodyIncludes: name, status: 502, after: true });
    // More 503s than the client's own tries, so the workflow step itself is retried.
    await injectFault({ match: `POST ${repoPath}/git/commits`, status: 503, times: 5 });
    await injectFault({ match: `PATCH ${repoPath}/git/refs/heads/main`, status: 502, after: true, times: 4 });
    const r = await run(scenario("build", { name }, PROMPT), { token: user.token });
    expectOrder(outline(r), ["agent:idle", "repo_created", "deployment_in_progress", "done"]);

    const { app, exported, files } = await repoOf(user.token, r.appId);
    expect(app.githubRepo).toBe(name);
    expect(await reposTouched(ORG, name)).toEqual([name]);
    expect(exported.commits).toHaveLength(1);
    expect(exported.commits[0]!.parents).toEqual([]);
    expect(files).toEqual(builtFiles(name, PROMPT));
    expect(platformEvents(r)[0]).toMatchObject({ commitSha: exported.commits[0]!.sha });
    const history = await historyOf(user.token, r.appId);
    expect(history.filter((h) => h.metadata?.type === "repo_created")).toHaveLength(1);
    expect(await deploymentEnded(user.token, r.appId)).toMatchObject({ status: "healthy" });
    expect(await deploymentsOf(user.token, r.appId)).toHaveLength(1);
  });

  it("GitHub down for good: publish_failed with reason and step, then done; the snapshot stays readable; the next run publishes", async () => {
    const name = uniqueAppName("down");
    await injectFault({ match: `POST /orgs/${ORG}/repos`, bodyIncludes: name, status: 503, times: 1000 });
    const r = await run(scenario("build", { name }, PROMPT), { token: user.token, timeoutMs: 60_000 });
    expectOrder(outline(r), ["agent:idle", "publish_failed", "done"]);
    const [failed] = platformEvents(r);
    expect(failed).toMatchObject({ type: "publish_failed", step: "ensure repository" });
    expect(String(failed!.reason).length).toBeGreaterThan(0);

    const app = await getApp(user.token, r.appId);
    expect(app).toMatchObject({ snapshotVersion: 1, repositoryUrl: null, deployStatus: "pending" });
    expect(await archiveOf(user.token, r.appId)).toEqual({ version: 1, files: builtFiles(name, PROMPT) });
    expect(await deploymentsOf(user.token, r.appId)).toEqual([]);
    const history = await historyOf(user.token, r.appId);
    expect(history.at(-1)).toMatchObject({ messageKind: "PlatformMessage", metadata: failed });

    // The next version publishes (under the name the agent gives it now).
    const other = uniqueAppName("up");
    const next = await run(scenario("edit", { name: other }, "add a due date"), {
      token: user.token,
      applicationId: r.appId,
    });
    expectOrder(outline(next), ["agent:idle", "repo_created", "deployment_in_progress", "done"]);
    const repo = await repoOf(user.token, r.appId);
    expect(repo.app.githubRepo).toBe(other);
    expect(repo.exported.commits).toHaveLength(1);
    expect(repo.files).toEqual(editedFiles(builtFiles(name, PROMPT), 2, "add a due date"));
    await deploymentEnded(user.token, r.appId);
  }, 90_000);

  it("a binary section is skipped: skippedPaths in repo_created and commit_created, the rest committed", async () => {
    const name = uniqueAppName("assets");
    const r = await run(scenario("binary", { name }, PROMPT), { token: user.token });
    expect(platformEvents(r)[0]).toMatchObject({ type: "repo_created", skippedPaths: ["public/logo.png"] });
    const expected = {
      ...builtFiles(name, PROMPT),
      "docs/assets.md": "100644 The logo lives in public/logo.png.\n",
    };
    expect((await repoOf(user.token, r.appId)).files).toEqual(expected);
    await deploymentEnded(user.token, r.appId);

    // A later version with a binary section: the file is not created, the rest of the diff applies.
    const other = uniqueAppName("assets");
    const first = await built(other);
    const next = await run(scenario("binary", {}, "add a logo"), {
      token: user.token,
      applicationId: first.appId,
    });
    expect(platformEvents(next)[0]).toMatchObject({
      type: "commit_created",
      skippedPaths: ["public/logo.png"],
    });
    const { exported, files } = await repoOf(user.token, first.appId);
    expect(files).toEqual({
      ...builtFiles(other, PROMPT),
      "docs/assets.md": "100644 The logo lives in public/logo.png.\n",
    });
    expect(exported.commits).toHaveLength(2);
    const history = await historyOf(user.token, first.appId);
    expect(history.filter((h) => h.metadata?.skippedPaths)).toHaveLength(1);
    await deploymentEnded(user.token, first.appId);
  });
});

describe("publishing a later version", () => {
  it("an edit run: commit_created, one more commit whose tree equals the new version", async () => {
    const name = uniqueAppName("edit");
    const first = await built(name);
    const v1 = await repoOf(user.token, first.appId);

    const r = await run("add a due date", { token: user.token, applicationId: first.appId });
    expectOrder(outline(r), ["agent:idle", "commit_created", "deployment_in_progress", "done"]);
    const [committed, deploying] = platformEvents(r);

    const { app, exported, files } = await repoOf(user.token, first.appId);
    const expected = editedFiles(builtFiles(name, PROMPT), 2, "add a due date");
    expect(files).toEqual(expected);
    expect(files["src/old-helper.ts"]).toBeUndefined();
    expect(exported.commits).toHaveLength(2);
    expect(exported.commits[0]!.parents).toEqual([v1.exported.commits[0]!.sha]);
    expect(exported.commits[0]!.message).toBe("feat: add a due date");
    expect(committed).toEqual({
      type: "commit_created",
      commitUrl: `${app.repositoryUrl}/commit/${exported.commits[0]!.sha}`,
      commitSha: exported.commits[0]!.sha,
    });
    expect(app).toMatchObject({ githubRepo: name, snapshotVersion: 2 });
    expect(await archiveOf(user.token, first.appId)).toEqual({ version: 2, files: expected });
    const ended = await deploymentEnded(user.token, first.appId, String(deploying!.deploymentId));
    expect(ended).toMatchObject({ status: "healthy", commitSha: exported.commits[0]!.sha });
  });

  it("a patch that fails half-way (bad_patch) → error patch_failed; no new version, commit or deployment", async () => {
    const name = uniqueAppName("badpatch");
    const first = await built(name);
    const before = await repoOf(user.token, first.appId);

    const r = await run(scenario("bad_patch", {}, "rename things"), {
      token: user.token,
      applicationId: first.appId,
    });
    expect(outline(r).slice(-3)).toEqual(["agent:idle", "error:patch_failed", "done"]);
    expect(platformEvents(r)).toEqual([]);

    const after = await repoOf(user.token, first.appId);
    expect(after.exported.commits).toEqual(before.exported.commits);
    expect(after.files).toEqual(builtFiles(name, PROMPT));
    expect(after.app.snapshotVersion).toBe(1);
    expect(await archiveOf(user.token, first.appId)).toEqual({ version: 1, files: builtFiles(name, PROMPT) });
    expect(await deploymentsOf(user.token, first.appId)).toHaveLength(1);
    const missing = await callJson("GET", `/apps/${first.appId}/read-url?path=src/change-2.ts`, {
      token: user.token,
    });
    expect(missing.status).toBe(404);
  });
});
