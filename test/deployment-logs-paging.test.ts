import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deployments } from "../src/db/schema";
import { useTestDb } from "./helpers/db";
import { addDeployment, createApp } from "./helpers/factories";
import {
  addBuildLines,
  addRuntimeLines,
  builtDeployment,
  readAllPages,
  readLogs,
  runningDeployment,
  settle,
  textOf,
} from "./helpers/logs";
import { createUser } from "./helpers/users";

// Deployment logs a page at a time: cursors walk each stream once, in order, and say when the
// logs are complete.

const db = useTestDb();
const DOCKERFILE = "FROM node:20\nCOPY . .\nRUN npm ci\n";

describe("deployment logs, page by page", () => {
  it("build logs page by page: the cursors walk the whole stream once, in order", async () => {
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE }, { status: "deploying" });
    const extra = Array.from({ length: 23 }, (_, i) => `app line ${i + 1}\n`);
    await addBuildLines(s.buildId, extra);
    const whole = await readLogs(s.user.token, s.appId, s.dep.id, "?type=build&limit=1000");
    expect(whole.hasMore).toBe("false");
    const pages = await readAllPages(s.user.token, s.appId, s.dep.id, "?type=build&limit=7");
    expect(pages.length).toBeGreaterThan(3);
    for (const p of pages.slice(0, -1)) expect([p.lines.length, p.hasMore]).toEqual([7, "true"]);
    expect(pages.flatMap((p) => p.lines)).toEqual(whole.lines);
    expect(whole.lines.slice(-23).map(textOf)).toEqual(extra.map((l) => l.trim()));
    // The build is over (SUCCEEDED): the last page has no cursor.
    expect(pages.at(-1)!.next).toBeNull();
    // A cursor carries the type: reading on without `type` reads build logs.
    const second = await readLogs(s.user.token, s.appId, s.dep.id, `?limit=7&cursor=${pages[0]!.next}`);
    expect(second.lines).toEqual(pages[1]!.lines);
  });

  it("an entry with line breaks is several lines, each with the entry's time", async () => {
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE }, { status: "building" });
    await addBuildLines(s.buildId, ["Error: boom\n    at main (index.js:1:1)\n    at run (index.js:9:9)\n"]);
    const page = await readLogs(s.user.token, s.appId, s.dep.id, "?type=build&limit=1000");
    const last = page.lines.slice(-3);
    expect(last.map(textOf)).toEqual([
      "Error: boom",
      "    at main (index.js:1:1)",
      "    at run (index.js:9:9)",
    ]);
    expect(new Set(last.map((l) => l.slice(0, 24))).size).toBe(1);
    // CodeBuild says whether more can come (this build is over), whatever the row says.
    expect(page.next).toBeNull();
  });

  it("runtime logs page by page, from the deployment's start; a deployment that failed ends them", async () => {
    const s = await runningDeployment(db, { status: "failed", finishedAt: new Date(Date.now() - 10_000) });
    const lines = Array.from({ length: 12 }, (_, i) => ({
      msg: `request ${i + 1} served`,
      stream: "stdout",
    }));
    await addRuntimeLines(s.koyebDeploymentId, lines);
    await settle();
    const pages = await readAllPages(s.user.token, s.appId, s.dep.id, "?type=runtime&limit=5");
    const text = pages.flatMap((p) => p.lines).map(textOf);
    expect(text.slice(0, 3)).toEqual([
      "Instance created. Preparing to start...",
      "Instance is starting. Propagating network configuration...",
      "Server listening on port 80",
    ]);
    expect(text.slice(-12)).toEqual(lines.map((l) => l.msg));
    expect(pages[0]!.hasMore).toBe("true");
    expect(pages.at(-1)!.next).toBeNull();
  });

  it("before the build or the Koyeb deployment started, a page is empty and keeps a cursor", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id);
    const dep = await addDeployment(db, app.id, user.id, { status: "queued" });
    for (const type of ["build", "runtime"]) {
      const page = await readLogs(user.token, app.id, dep.id, `?type=${type}`);
      expect([page.status, page.text, page.hasMore]).toEqual([200, "", "false"]);
      expect(page.next).toBeTruthy();
    }
    // A deployment that ended before any build: its build logs are complete (and empty).
    await db.update(deployments).set({ status: "failed", reason: "x" }).where(eq(deployments.id, dep.id));
    expect((await readLogs(user.token, app.id, dep.id, "?type=build")).next).toBeNull();
  });

  it("a page stops at about 1 MB, even inside one CloudWatch page; the next page goes on from there", async () => {
    const s = await builtDeployment(db, { Dockerfile: DOCKERFILE });
    const big = ["a", "b", "c", "d"].map((ch) => ch.repeat(260_000));
    await addBuildLines(s.buildId, big);
    const first = await readLogs(s.user.token, s.appId, s.dep.id, "?type=build&limit=1000");
    expect(first.hasMore).toBe("true");
    expect(first.text.length).toBeLessThan(1_000_000 + 10_000);
    // The stand-in answered all four in one page: the cursor stays on it and skips what was read.
    const cursor = JSON.parse(atob(first.next!.replaceAll("-", "+").replaceAll("_", "/"))) as { n?: number };
    expect(cursor.n).toBeGreaterThan(0);
    const rest = await readLogs(s.user.token, s.appId, s.dep.id, `?limit=1000&cursor=${first.next}`);
    const tails = [...first.lines, ...rest.lines].map(textOf).slice(-4);
    expect(tails).toEqual(big);
    expect([rest.lines.length, rest.hasMore, rest.next]).toEqual([1, "false", null]);
  });
});
