import { describe, expect, it } from "vitest";
import { type Db, withDb } from "../src/db/client";
import type { HistoryResponse } from "../src/routes/apps/history";
import type { ListAppsResponse } from "../src/routes/apps/list";
import { getApp } from "../src/services/apps/get-app";
import { getHistory } from "../src/services/apps/history";
import { listApps } from "../src/services/apps/list-apps";
import type { AppWire } from "../src/services/apps/wire";
import { callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { config, testContext } from "./helpers/env";
import { addDeployment, addPrompts, createApp } from "./helpers/factories";
import { authUser } from "./helpers/identity";
import { createUser } from "./helpers/users";

const db = useTestDb();

/**
 * Runs `fn` with a database handle and counts the database round trips it makes: the requests to
 * the SQL-over-HTTP endpoint (one per statement, or one for statements sent together).
 */
async function countStatements(fn: (db: Db) => Promise<unknown>): Promise<number> {
  const real = globalThis.fetch;
  let n = 0;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname === "/sql") n++;
    return real(input, init);
  }) as typeof fetch;
  try {
    await withDb(config, fn);
  } finally {
    globalThis.fetch = real;
  }
  return n;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const SUMMARY_KEYS = [
  "appName",
  "appUrl",
  "createdAt",
  "deployStatus",
  "id",
  "name",
  "repositoryUrl",
  "techStack",
  "traceId",
  "updatedAt",
];
const APP_KEYS = [
  ...SUMMARY_KEYS,
  "clientSource",
  "githubOwner",
  "githubRepo",
  "lastRunAt",
  "latestDeployment",
  "runStatus",
  "snapshotVersion",
].sort();

describe("GET /apps", () => {
  it("lists the caller's live apps newest first, with pagination and limit headers", async () => {
    const me = await createUser();
    const other = await createUser();
    const old = await createApp(db, me.id, { createdAt: minutesAgo(30) });
    const mid = await createApp(db, me.id, { createdAt: minutesAgo(20) });
    const newest = await createApp(db, me.id, { createdAt: minutesAgo(10) });
    await createApp(db, me.id, { createdAt: minutesAgo(5), deletedAt: new Date() });
    await createApp(db, other.id);

    const r = await callJson<ListAppsResponse>("GET", "/apps", { token: me.token });
    expect(r.status).toBe(200);
    expect(r.body.data.map((a) => a.id)).toEqual([newest.id, mid.id, old.id]);
    expect(r.body.pagination).toEqual({ total: 3, page: 1, limit: 10, totalPages: 1 });
    expect(Object.keys(r.body.data[0]!).sort()).toEqual(SUMMARY_KEYS);
    expect(r.body.data[0]).toMatchObject({
      name: newest.name,
      appName: newest.appName,
      techStack: "trpc_agent",
      deployStatus: "pending",
      appUrl: null,
      repositoryUrl: null,
      traceId: newest.traceId,
      createdAt: newest.createdAt.toISOString(),
    });
    expect(r.res.headers.get("x-dailylimit-limit")).toBe("10");
    expect(r.res.headers.get("x-dailylimit-remaining")).toBe("10");
    expect(r.res.headers.get("x-dailylimit-usage")).toBe("0");
    expect(r.res.headers.get("x-dailylimit-reset")).toMatch(/T00:00:00\.000Z$/);
  });

  it("pages with page and limit, and a page past the end is empty but keeps the total", async () => {
    const me = await createUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.unshift((await createApp(db, me.id, { createdAt: minutesAgo(50 - i) })).id);

    const p2 = await callJson<ListAppsResponse>("GET", "/apps?page=2&limit=2", { token: me.token });
    expect(p2.status).toBe(200);
    expect(p2.body.data.map((a) => a.id)).toEqual(ids.slice(2, 4));
    expect(p2.body.pagination).toEqual({ total: 5, page: 2, limit: 2, totalPages: 3 });

    const past = await callJson<ListAppsResponse>("GET", "/apps?page=9&limit=2", { token: me.token });
    expect(past.body.data).toEqual([]);
    expect(past.body.pagination).toEqual({ total: 5, page: 9, limit: 2, totalPages: 3 });
  });

  it("a user without apps gets an empty first page", async () => {
    const me = await createUser();
    const r = await callJson<ListAppsResponse>("GET", "/apps", { token: me.token });
    expect(r.body).toEqual({ data: [], pagination: { total: 0, page: 1, limit: 10, totalPages: 0 } });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=1.5", "limit"],
    ["limit=", "limit"],
    ["page=0", "page"],
    ["page=abc", "page"],
    ["page=-1", "page"],
  ])("rejects %s with a validation problem", async (query, field) => {
    const me = await createUser();
    const r = await callJson<{ errors: { path: string; message: string }[] }>("GET", `/apps?${query}`, {
      token: me.token,
    });
    expectProblem(r, 400, "validation_failed");
    expect(r.body.errors.map((e) => e.path)).toContain(field);
  });

  it("needs a valid token", async () => {
    expectProblem(await callJson("GET", "/apps"), 401, "unauthorized");
    expectProblem(await callJson("GET", "/apps", { token: "not.a.token" }), 401, "unauthorized");
  });
});

describe("GET /apps/:id", () => {
  it("answers the App shape with the latest deployment", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id, {
      githubOwner: "appbuilder-apps",
      githubRepo: "todo",
      repositoryUrl: "https://github.com/appbuilder-apps/todo",
      deployStatus: "deployed",
      appUrl: "https://todo.koyeb.app",
      snapshotVersion: 2,
      runStatus: "running",
      lastRunAt: minutesAgo(1),
      clientSource: "cli",
    });
    await addDeployment(db, app.id, me.id, {
      status: "failed",
      reason: "build failed",
      createdAt: minutesAgo(9),
    });
    const latest = await addDeployment(db, app.id, me.id, {
      version: 2,
      status: "healthy",
      commitSha: "a".repeat(40),
      imageUri: "123.dkr.ecr.us-east-1.amazonaws.com/apps/todo:aaaa",
      url: "https://todo.koyeb.app",
      createdAt: minutesAgo(3),
      finishedAt: minutesAgo(2),
    });

    const r = await callJson<AppWire>("GET", `/apps/${app.id}`, { token: me.token });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(APP_KEYS);
    expect(r.body).toMatchObject({
      id: app.id,
      clientSource: "cli",
      githubOwner: "appbuilder-apps",
      githubRepo: "todo",
      runStatus: "running",
      lastRunAt: app.lastRunAt!.toISOString(),
      snapshotVersion: 2,
      deployStatus: "deployed",
    });
    expect(r.body.latestDeployment).toEqual({
      id: latest.id,
      appId: app.id,
      status: "healthy",
      reason: null,
      commitSha: "a".repeat(40),
      imageUri: latest.imageUri,
      url: "https://todo.koyeb.app",
      createdAt: latest.createdAt.toISOString(),
      updatedAt: latest.updatedAt.toISOString(),
      finishedAt: latest.finishedAt!.toISOString(),
    });
  });

  it("latestDeployment is null before the first deployment", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    const r = await callJson<AppWire>("GET", `/apps/${app.id}`, { token: me.token });
    expect(r.body).toMatchObject({
      latestDeployment: null,
      snapshotVersion: null,
      lastRunAt: null,
      runStatus: "idle",
    });
  });

  it("another user's app is a 404 with no data", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const app = await createApp(db, owner.id, { name: "secret-name" });
    const r = await callJson("GET", `/apps/${app.id}`, { token: stranger.token });
    expectProblem(r, 404, "not_found");
    expect(JSON.stringify(r.body)).not.toContain("secret-name");
    expect(JSON.stringify(r.body)).not.toContain(owner.id);
  });

  it("a deleted app, an unknown id and a non-UUID id are 404", async () => {
    const me = await createUser();
    const gone = await createApp(db, me.id, { deletedAt: new Date() });
    expectProblem(await callJson("GET", `/apps/${gone.id}`, { token: me.token }), 404, "not_found");
    expectProblem(
      await callJson("GET", `/apps/${crypto.randomUUID()}`, { token: me.token }),
      404,
      "not_found",
    );
    expectProblem(await callJson("GET", "/apps/not-a-uuid", { token: me.token }), 404, "not_found");
  });

  it("needs a valid token", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    expectProblem(await callJson("GET", `/apps/${app.id}`), 401, "unauthorized");
    expectProblem(await callJson("GET", `/apps/${app.id}`, { token: `${me.token}x` }), 401, "unauthorized");
  });
});

describe("GET /apps/:id/history", () => {
  it("answers the conversation oldest first, in seq order", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    const traceId = `app-${app.id}.req-1`;
    const rows = await addPrompts(db, app.id, [
      { prompt: "Build a todo app", traceId },
      { prompt: "Done", kind: "assistant", messageKind: "StageResult", traceId },
      {
        prompt: "Repository created",
        kind: "assistant",
        messageKind: "PlatformMessage",
        metadata: { type: "repo_created", githubUrl: "https://github.com/o/r" },
        traceId,
        // Same timestamp as the others: seq, not created_at, orders the history.
        createdAt: minutesAgo(60),
      },
    ]);
    const r = await callJson<HistoryResponse>("GET", `/apps/${app.id}/history`, { token: me.token });
    expect(r.status).toBe(200);
    expect(r.res.headers.get("x-next-before")).toBeNull();
    expect(r.body.map((e) => e.id)).toEqual(rows.map((e) => e.id));
    expect(r.body[0]).toEqual({
      id: rows[0]!.id,
      appId: app.id,
      prompt: "Build a todo app",
      kind: "user",
      messageKind: "UserMessage",
      metadata: null,
      traceId,
      createdAt: rows[0]!.createdAt.toISOString(),
    });
    expect(r.body[2]).toMatchObject({
      messageKind: "PlatformMessage",
      metadata: { type: "repo_created", githubUrl: "https://github.com/o/r" },
    });
  });

  it("pages backwards with limit, before and x-next-before", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    const rows = await addPrompts(
      db,
      app.id,
      Array.from({ length: 7 }, (_, i) => ({ prompt: `m${i + 1}` })),
    );
    const ids = rows.map((r) => r.id);

    const newest = await callJson<HistoryResponse>("GET", `/apps/${app.id}/history?limit=3`, {
      token: me.token,
    });
    expect(newest.body.map((e) => e.id)).toEqual(ids.slice(4, 7));
    expect(newest.res.headers.get("x-next-before")).toBe(ids[4]);

    const middle = await callJson<HistoryResponse>(
      "GET",
      `/apps/${app.id}/history?limit=3&before=${ids[4]}`,
      {
        token: me.token,
      },
    );
    expect(middle.body.map((e) => e.id)).toEqual(ids.slice(1, 4));
    expect(middle.res.headers.get("x-next-before")).toBe(ids[1]);

    const first = await callJson<HistoryResponse>("GET", `/apps/${app.id}/history?limit=3&before=${ids[1]}`, {
      token: me.token,
    });
    expect(first.body.map((e) => e.id)).toEqual([ids[0]]);
    expect(first.res.headers.get("x-next-before")).toBeNull();

    const exact = await callJson<HistoryResponse>("GET", `/apps/${app.id}/history?limit=7`, {
      token: me.token,
    });
    expect(exact.body).toHaveLength(7);
    expect(exact.res.headers.get("x-next-before")).toBeNull();

    const beforeFirst = await callJson<HistoryResponse>("GET", `/apps/${app.id}/history?before=${ids[0]}`, {
      token: me.token,
    });
    expect(beforeFirst.status).toBe(200);
    expect(beforeFirst.body).toEqual([]);
  });

  it("an app without history answers an empty array", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    const r = await callJson<HistoryResponse>("GET", `/apps/${app.id}/history`, { token: me.token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["limit=ten", "limit"],
    ["before=nope", "before"],
  ])("rejects %s with a validation problem", async (query, field) => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    const r = await callJson<{ errors: { path: string }[] }>("GET", `/apps/${app.id}/history?${query}`, {
      token: me.token,
    });
    expectProblem(r, 400, "validation_failed");
    expect(r.body.errors.map((e) => e.path)).toContain(field);
  });

  it("a cursor from another app is a validation problem", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    const elsewhere = await createApp(db, me.id);
    const [foreign] = await addPrompts(db, elsewhere.id, [{ prompt: "x" }]);
    const r = await callJson<{ errors: { path: string }[] }>(
      "GET",
      `/apps/${app.id}/history?before=${foreign!.id}`,
      { token: me.token },
    );
    expectProblem(r, 400, "validation_failed");
    expect(r.body.errors.map((e) => e.path)).toEqual(["before"]);
  });

  it("another user's, a deleted and a non-UUID app are 404 with no data", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const app = await createApp(db, owner.id);
    await addPrompts(db, app.id, [{ prompt: "private words" }]);
    const r = await callJson("GET", `/apps/${app.id}/history`, { token: stranger.token });
    expectProblem(r, 404, "not_found");
    expect(JSON.stringify(r.body)).not.toContain("private words");

    const gone = await createApp(db, owner.id, { deletedAt: new Date() });
    expectProblem(
      await callJson("GET", `/apps/${gone.id}/history`, { token: owner.token }),
      404,
      "not_found",
    );
    expectProblem(await callJson("GET", "/apps/123/history", { token: owner.token }), 404, "not_found");
  });

  it("needs a valid token", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    expectProblem(await callJson("GET", `/apps/${app.id}/history`), 401, "unauthorized");
    expectProblem(
      await callJson("GET", `/apps/${app.id}/history`, { token: "garbage" }),
      401,
      "unauthorized",
    );
  });
});

describe("read queries", () => {
  it("GET /apps/:id, a history page and a list page are one database round trip each", async () => {
    const me = await createUser();
    const app = await createApp(db, me.id);
    await addDeployment(db, app.id, me.id);
    const [first] = await addPrompts(db, app.id, [{ prompt: "a" }, { prompt: "b" }]);
    // As a request calls them: its database handle (here the counting one) and the caller.
    const as = (d: Db) => testContext({}, { db: d, user: authUser(me) });
    expect(await countStatements((d) => getApp({ ctx: as(d), input: { appId: app.id } }))).toBe(1);
    expect(await countStatements((d) => getHistory({ ctx: as(d), input: { appId: app.id, limit: 1 } }))).toBe(
      1,
    );
    expect(
      await countStatements((d) =>
        getHistory({ ctx: as(d), input: { appId: app.id, limit: 5, before: first!.id } }),
      ),
    ).toBe(1);
    expect(await countStatements((d) => listApps({ ctx: as(d), input: { page: 1, limit: 10 } }))).toBe(1);
  });
});
