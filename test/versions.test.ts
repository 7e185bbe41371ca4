import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { customMessageLimits, messageUsage } from "../src/db/schema";
import type { VersionWire } from "../src/services/versions/list";
import { builtFiles, editedFiles } from "./helpers/agent-trees";
import { call, callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { injectFault } from "./helpers/deploy";
import { agentRequests, expectEndedAndReusable, sendMessage } from "./helpers/generation";
import {
  archiveOf,
  deploymentEnded,
  deploymentsOf,
  type FlatTree,
  fastWorkflows,
  historyOf,
  outline,
  platformEvents,
  repoOf,
  run,
  scenario,
  uniqueAppName,
} from "./helpers/publish";
import { isDone, readSse } from "./helpers/sse";
import { createUser, type TestUser } from "./helpers/users";

const PROMPT = "a todo list";
const db = useTestDb();

let wf: Awaited<ReturnType<typeof fastWorkflows>>;
let user: TestUser;
beforeEach(async () => {
  wf = await fastWorkflows();
  user = await createUser();
});
afterEach(async () => {
  await wf.dispose();
});

function restore(appId: string, version: number | string, opts: { token?: string; key?: string } = {}) {
  return call("POST", `/apps/${appId}/versions/${version}/restore`, {
    token: opts.token ?? user.token,
    headers: opts.key ? { "idempotency-key": opts.key } : {},
  });
}

async function restoreToDone(appId: string, version: number, opts: { key?: string } = {}) {
  const res = await restore(appId, version, opts);
  if (res.status !== 200) throw new Error(`restore answered ${res.status}: ${await res.text()}`);
  return { res, ...(await readSse(res, { until: isDone, timeoutMs: 30_000 })) };
}

const versionsOf = async (appId: string, query = "") =>
  callJson<VersionWire[]>("GET", `/apps/${appId}/versions${query}`, { token: user.token });

/** A built app, then `edits` more versions, each deployed before the next. */
async function appWithVersions(edits: number) {
  const name = uniqueAppName("ver");
  const first = await run(scenario("build", { name }, PROMPT), { token: user.token });
  await deploymentEnded(user.token, first.appId);
  for (let i = 0; i < edits; i++) {
    await run(`change ${i + 2}`, { token: user.token, applicationId: first.appId });
    await deploymentEnded(user.token, first.appId);
  }
  return { appId: first.appId, name };
}

/** The files an agent request carried, as a flat tree (modes are not on the wire). */
const sentFiles = (files: { path: string; content: string }[] | null) =>
  Object.fromEntries((files ?? []).map((f) => [f.path, f.content]));
const contents = (tree: FlatTree) =>
  Object.fromEntries(Object.entries(tree).map(([p, v]) => [p, v.slice(v.indexOf(" ") + 1)]));

describe("versions", () => {
  it("restoring version 1 of a 3-version app: version 4 holds version 1's exact tree, one commit, a healthy deployment, and the next run starts from it", async () => {
    const { appId, name } = await appWithVersions(2);
    const v1 = builtFiles(name, PROMPT);
    const before = await repoOf(user.token, appId);
    expect(before.exported.commits).toHaveLength(3);
    expect(before.files).not.toEqual(v1);

    const r = await restoreToDone(appId, 1);
    expect(r.res.headers.get("x-app-id")).toBe(appId);
    expect(outline(r)).toEqual(["version_restored", "commit_created", "deployment_in_progress", "done"]);
    const [restored, committed, deploying] = platformEvents(r);
    expect(restored).toEqual({ type: "version_restored", version: 4, restoredFrom: 1 });

    // The snapshot and the repository hold version 1's tree exactly (contents and modes).
    expect(await archiveOf(user.token, appId)).toEqual({ version: 4, files: v1 });
    const after = await repoOf(user.token, appId);
    expect(after.files).toEqual(v1);
    expect(after.exported.commits).toHaveLength(4);
    expect(after.exported.commits[0]).toMatchObject({
      message: "Restore version 1",
      parents: [before.exported.commits[0]!.sha],
    });
    expect(committed).toMatchObject({ type: "commit_created", commitSha: after.exported.commits[0]!.sha });
    const deployment = await deploymentEnded(user.token, appId, String(deploying!.deploymentId));
    expect(deployment).toMatchObject({
      status: "healthy",
      commitSha: after.exported.commits[0]!.sha,
    });

    // The list: newest first, the restore with its origin, commit and deployment.
    const list = await versionsOf(appId);
    expect(list.status).toBe(200);
    expect(list.body.map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect(list.body[0]).toMatchObject({
      version: 4,
      restoredFrom: 1,
      commitMessage: "Restore version 1",
      commitSha: after.exported.commits[0]!.sha,
      commitUrl: `${after.app.repositoryUrl}/commit/${after.exported.commits[0]!.sha}`,
      deployment: { id: deployment.id, status: "healthy", url: deployment.url },
    });
    expect(list.body[3]).toMatchObject({
      version: 1,
      restoredFrom: null,
      commitMessage: `feat: ${PROMPT}`,
      commitSha: before.exported.commits[2]!.sha,
      deployment: { status: "healthy" },
    });
    // Version 1 added every file; the restore undid two edits (README lines, added files back).
    expect(list.body[3]!.diffStat).toMatchObject({ files: Object.keys(v1).length, deletions: 0 });
    expect(list.body[0]!.diffStat!.files).toBeGreaterThan(0);
    expect(list.body[0]!.diffStat!.deletions).toBeGreaterThan(0);
    for (const v of list.body) expect(v.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(list.body.map((v) => v.runId)).size).toBe(4);

    // The history holds the restore's platform message; the app says version 4.
    const history = await historyOf(user.token, appId);
    expect(history.some((h) => h.metadata?.type === "version_restored")).toBe(true);

    // The next run sends version 1's files and its edit applies to them.
    const next = await run("add a due date", { token: user.token, applicationId: appId });
    expect(outline(next).slice(-3)).toEqual(["commit_created", "deployment_in_progress", "done"]);
    const sent = (await agentRequests(appId)).at(-1)!;
    expect(sentFiles(sent.body.allFiles)).toEqual(contents(v1));
    expect(await archiveOf(user.token, appId)).toEqual({
      version: 5,
      files: editedFiles(v1, 4, "add a due date"),
    });
    await deploymentEnded(user.token, appId);
  }, 120_000);

  it("pages newest first with x-next-before; validation 400; a version the app lacks is 404 no_such_version", async () => {
    const { appId } = await appWithVersions(2);
    const p1 = await versionsOf(appId, "?limit=2");
    expect(p1.body.map((v) => v.version)).toEqual([3, 2]);
    expect(p1.res.headers.get("x-next-before")).toBe("2");
    const p2 = await versionsOf(appId, "?limit=2&before=2");
    expect(p2.body.map((v) => v.version)).toEqual([1]);
    expect(p2.res.headers.get("x-next-before")).toBeNull();

    for (const q of ["?limit=0", "?limit=201", "?limit=x", "?before=0", "?before=abc"]) {
      expectProblem(await versionsOf(appId, q), 400, "validation_failed");
    }
    for (const v of ["0", "-1", "abc", "1.5"]) {
      expectProblem(
        await callJson("POST", `/apps/${appId}/versions/${v}/restore`, { token: user.token }),
        404,
        "not_found",
      );
    }
    const used = async () =>
      (await db.select().from(messageUsage))
        .filter((u) => u.userId === user.id)
        .reduce((n, u) => n + u.count, 0);
    const count = await used();
    const missing = await callJson("POST", `/apps/${appId}/versions/4/restore`, { token: user.token });
    expectProblem(missing, 404, "no_such_version");
    // Refused: nothing changed, nothing counted.
    expect(await used()).toBe(count);
    expect((await versionsOf(appId)).body.map((v) => v.version)).toEqual([3, 2, 1]);
  }, 90_000);

  it("a version's files: the list (paths, sizes, hashes) and each file's text, for any version", async () => {
    const { appId, name } = await appWithVersions(1);
    const v1 = builtFiles(name, PROMPT);
    const v2 = editedFiles(v1, 2, "change 2");
    type Files = { version: number; files: { path: string; size: number; sha256: string }[] };
    const files = async (v: number) =>
      (await callJson<Files>("GET", `/apps/${appId}/versions/${v}/files`, { token: user.token })).body;
    const one = await files(1);
    const two = await files(2);
    expect(one.files.map((f) => f.path)).toEqual(Object.keys(v1).sort());
    expect(two.files.map((f) => f.path)).toEqual(Object.keys(v2).sort());
    const enc = new TextEncoder();
    for (const f of one.files) expect(f.size).toBe(enc.encode(contents(v1)[f.path]!).byteLength);
    // Equal hashes exactly where the content is equal.
    const hashOf = (l: Files, p: string) => l.files.find((f) => f.path === p)?.sha256;
    for (const p of Object.keys(v2)) {
      expect(hashOf(one, p) === hashOf(two, p)).toBe(contents(v1)[p] === contents(v2)[p]);
    }
    for (const [v, tree] of [
      [1, v1],
      [2, v2],
    ] as const) {
      for (const [p, text] of Object.entries(contents(tree))) {
        const r = await call("GET", `/apps/${appId}/versions/${v}/file?path=${encodeURIComponent(p)}`, {
          token: user.token,
        });
        expect(r.status).toBe(200);
        expect(r.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
        expect(await r.text()).toBe(text);
      }
    }
    const file = (q: string, v = 1) =>
      callJson("GET", `/apps/${appId}/versions/${v}/file${q}`, { token: user.token });
    expectProblem(await file(""), 400, "validation_failed");
    expectProblem(await file("?path=../etc/passwd"), 400, "validation_failed");
    expectProblem(await file("?path=%2Fetc%2Fpasswd"), 400, "validation_failed");
    expectProblem(await file("?path=src%2Fchange-2.ts"), 404, "not_found");
    expectProblem(await file("?path=README.md", 3), 404, "no_such_version");
    expectProblem(
      await callJson("GET", `/apps/${appId}/versions/3/files`, { token: user.token }),
      404,
      "no_such_version",
    );
  }, 90_000);

  it("a new app's list is empty; an unknown app or another user's is 404", async () => {
    const first = await run(scenario("no_change", {}, "just chat"), { token: user.token });
    const list = await versionsOf(first.appId);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    expectProblem(
      await callJson("POST", `/apps/${first.appId}/versions/1/restore`, { token: user.token }),
      404,
      "no_such_version",
    );
    const stranger = await createUser();
    expectProblem(
      await callJson("GET", `/apps/${first.appId}/versions`, { token: stranger.token }),
      404,
      "not_found",
    );
    expectProblem(
      await callJson("GET", `/apps/${crypto.randomUUID()}/versions`, { token: user.token }),
      404,
      "not_found",
    );
  });

  it("409 while a run is going; the same Idempotency-Key attaches to the first restore and counts once; with a message it is reused", async () => {
    const { appId } = await appWithVersions(1);
    const slow = await sendMessage(scenario("slow_start", { ms: 3000 }, "slowly"), {
      token: user.token,
      applicationId: appId,
    });
    expect(slow.status).toBe(200);
    expectProblem(
      await callJson("POST", `/apps/${appId}/versions/1/restore`, { token: user.token }),
      409,
      "run_in_progress",
    );
    await readSse(slow, { until: isDone, timeoutMs: 30_000 });
    await deploymentEnded(user.token, appId);

    const used = async () =>
      (await db.select().from(messageUsage))
        .filter((u) => u.userId === user.id)
        .reduce((n, u) => n + u.count, 0);
    const count = await used();
    const key = crypto.randomUUID();
    const first = await restoreToDone(appId, 1, { key });
    const again = await restoreToDone(appId, 1, { key });
    expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(await used()).toBe(count + 1);
    const restoredTo = Number(platformEvents(first)[0]!.version);
    expect((await versionsOf(appId)).body[0]).toMatchObject({ version: restoredTo, restoredFrom: 1 });

    // The same key with another request (a message, or another version) is refused.
    const asMessage = await sendMessage("hello", {
      token: user.token,
      applicationId: appId,
      idempotencyKey: key,
    });
    expect(asMessage.status).toBe(409);
    expect(((await asMessage.json()) as { code: string }).code).toBe("idempotency_key_reused");
    expectProblem(
      await callJson("POST", `/apps/${appId}/versions/2/restore`, {
        token: user.token,
        headers: { "idempotency-key": key },
      }),
      409,
      "idempotency_key_reused",
    );
    await deploymentEnded(user.token, appId);
  }, 120_000);

  it("a restore counts against the daily limit: at the limit it is 429 and nothing changes", async () => {
    const { appId } = await appWithVersions(1);
    await db.insert(customMessageLimits).values({ userId: user.id, dailyLimit: 2 });
    const refused = await callJson("POST", `/apps/${appId}/versions/1/restore`, { token: user.token });
    expectProblem(refused, 429, "daily_message_limit_reached");
    expect(refused.res.headers.get("x-dailylimit-remaining")).toBe("0");
    expect((await versionsOf(appId)).body.map((v) => v.version)).toEqual([2, 1]);
    expect(await deploymentsOf(user.token, appId)).toHaveLength(2);
  }, 90_000);

  it("a version whose files cannot be read (S3 failing): error internal, nothing made, the restore given back, the app reusable", async () => {
    const { appId } = await appWithVersions(1);
    const used = async () =>
      (await db.select().from(messageUsage))
        .filter((u) => u.userId === user.id)
        .reduce((n, u) => n + u.count, 0);
    const count = await used();
    await injectFault("s3", { match: `apps/${appId}/v1/source.zip`, status: 500, times: 20 });
    const r = await restoreToDone(appId, 1);
    expect(outline(r)).toEqual(["error:internal", "done"]);
    expect(JSON.stringify(r.events[0]!.json)).toContain("Version 1 could not be read");
    // The fault's remaining shots name this app's version 1 only (no other test file's rules are cleared).
    expect(await used()).toBe(count);
    expect((await versionsOf(appId)).body.map((v) => v.version)).toEqual([2, 1]);
    expect((await archiveOf(user.token, appId)).version).toBe(2);
    await expectEndedAndReusable(user, appId, r, "internal");
  }, 90_000);
});
