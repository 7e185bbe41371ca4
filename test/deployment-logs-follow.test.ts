import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deployments } from "../src/db/schema";
import type { LogsEndEvent, LogsEvent } from "../src/routes/deployments/logs";
import { ensureEcrRepository, imageUriFor, startImageBuild } from "../src/services/deploy";
import { call, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { injectFault, sha, uploadSource } from "./helpers/deploy";
import { testContext } from "./helpers/env";
import { addDeployment, createApp } from "./helpers/factories";
import { addBuildLines, addRuntimeLines, builtDeployment, runningDeployment, streamOf } from "./helpers/logs";
import { readSse, type SseEvent } from "./helpers/sse";
import { createUser } from "./helpers/users";

// GET …/logs?follow=1: the lines as server-sent events while the build or the instance writes
// them, ended by one `end` event once the logs are complete or the deployment has ended.

/** As the workflows call the deploy services: no request, no caller. */
const ctx = testContext();

const db = useTestDb();

const linesOf = (events: SseEvent[]) =>
  events.filter((e) => e.event === "logs").flatMap((e) => (e.json as LogsEvent).lines.map((l) => l.message));
const follow = (token: string, appId: string, depId: string, query: string, headers = {}) =>
  call("GET", `/apps/${appId}/deployments/${depId}/logs?follow=1&${query}`, { token, headers });

/** Waits until `events` hold a line containing `text`. */
async function seen(events: SseEvent[], text: string) {
  for (let i = 0; i < 300; i++) {
    if (linesOf(events).some((l) => l.includes(text))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never saw ${text}`);
}

describe("following deployment logs", () => {
  it("a build's lines arrive as it writes them, then `end` (complete) once the build is over", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id);
    const source = await uploadSource(app.id, { Dockerfile: "FROM node:20\nRUN npm ci\n" });
    const repo = await ensureEcrRepository({ ctx, input: { appId: app.id } });
    const imageUri = imageUriFor(repo.repositoryUri, sha());
    const { buildId } = await startImageBuild({
      ctx,
      input: {
        appId: app.id,
        version: 1,
        commitSha: sha(),
        imageUri,
        ...source,
      },
    });
    const dep = await addDeployment(db, app.id, user.id, { status: "building", buildId, imageUri });
    const res = await follow(user.token, app.id, dep.id, "type=build");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);

    let live: Promise<void> | undefined;
    const read = await readSse(res, {
      timeoutMs: 60_000,
      until: (e, all) => {
        if (e.event === "logs" && !live) {
          live = (async () => {
            await addBuildLines(buildId, ["a line written while followed\n"]);
            await seen(all, "a line written while followed");
            // The build goes on (the image was built): following ends when CodeBuild says it is over.
            await db.update(deployments).set({ status: "deploying" }).where(eq(deployments.id, dep.id));
          })();
        }
        return e.event === "end";
      },
    });
    await live;
    const events = read.events;
    expect(read.retry).toBe(2000);
    const end = events.at(-1)!;
    expect(end.event).toBe("end");
    expect(end.json).toEqual({ reason: "complete", status: "deploying", cursor: null });
    for (const e of events.slice(0, -1)) expect([e.event, typeof e.id]).toEqual(["logs", "string"]);
    const lines = linesOf(events);
    expect(lines.indexOf("a line written while followed")).toBeGreaterThan(0);
    expect(lines).toContain("#1 [internal] load build definition from Dockerfile");
    expect(lines.at(-2)).toMatch(/Phase complete: POST_BUILD State: SUCCEEDED$/);
    expect(lines.join("\n")).not.toContain("123456789012");
    // Every line once, in order.
    expect(new Set(lines).size).toBe(lines.length);

    // Reconnecting after the end (an EventSource does) finds nothing more: 204 stops it.
    const again = await follow(user.token, app.id, dep.id, "type=build", {
      "last-event-id": events.at(-2)!.id!,
    });
    expect(again.status).toBe(204);
  }, 90_000);

  it("runtime lines follow until the deployment is healthy and caught up: `end` deployment_ended with a cursor", async () => {
    const s = await runningDeployment(db, { status: "deploying" });
    const res = await follow(s.user.token, s.appId, s.dep.id, "type=runtime");
    expect(res.status).toBe(200);
    let live: Promise<void> | undefined;
    const read = await readSse(res, {
      timeoutMs: 60_000,
      until: (e, all) => {
        if (e.event === "logs" && !live) {
          live = (async () => {
            await addRuntimeLines(s.koyebDeploymentId, [{ msg: "GET / 200 3ms", stream: "stdout" }]);
            await seen(all, "GET / 200 3ms");
            await db.update(deployments).set({ status: "healthy" }).where(eq(deployments.id, s.dep.id));
          })();
        }
        return e.event === "end";
      },
    });
    await live;
    const end = read.events.at(-1)!;
    const data = end.json as LogsEndEvent;
    expect(data).toMatchObject({ reason: "deployment_ended", status: "healthy" });
    expect(end.id).toBe(data.cursor);
    expect(linesOf(read.events)).toEqual(
      expect.arrayContaining(["Server listening on port 80", "GET / 200 3ms"]),
    );
    // The app goes on writing; following again from the cursor picks the new lines up.
    await addRuntimeLines(s.koyebDeploymentId, [{ msg: "GET /later 200 1ms" }]);
    await new Promise((r) => setTimeout(r, 2_100));
    const later = await readSse(
      await follow(s.user.token, s.appId, s.dep.id, "type=runtime", { "last-event-id": data.cursor }),
      { timeoutMs: 30_000 },
    );
    expect(linesOf(later.events)).toEqual(["GET /later 200 1ms"]);
    expect(later.events.at(-1)!.json).toMatchObject({ reason: "deployment_ended" });
    expect(later.ended).toBe(true);
  }, 90_000);

  it("logs complete from the start are sent, then `end`; an upstream failure at the start is a problem", async () => {
    const s = await builtDeployment(db, { Dockerfile: "FROM node:20\n" });
    const read = await readSse(await follow(s.user.token, s.appId, s.dep.id, "type=build"));
    expect(read.ended).toBe(true);
    expect(read.events.map((e) => e.event)).toEqual(["logs", "end"]);
    expect(read.events[1]!.json).toEqual({ reason: "complete", status: "deploying", cursor: null });

    await injectFault("logs", {
      match: "GetLogEvents",
      status: 503,
      times: 5,
      bodyMatch: streamOf(s.buildId),
    });
    const r = await follow(s.user.token, s.appId, s.dep.id, "type=build");
    expectProblem({ res: r, status: r.status, body: await r.json() }, 503, "upstream_unavailable");
  });
});
