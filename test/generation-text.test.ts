import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import type { AppSession } from "../src/session/app-session";
import { callJson, expectProblem } from "./helpers/api";
import { config } from "./helpers/env";
import { names, runToDone } from "./helpers/generation";
import { createUser } from "./helpers/users";

// Text Postgres cannot hold (docs/decisions.md, Round 3): refused from users, replaced in what the agent sends.

const stub = (appId: string) => sessionStub(env, appId);

type HistoryEntry = { prompt: string; messageKind: string; kind: string };

async function history(token: string, appId: string): Promise<HistoryEntry[]> {
  const r = await callJson<HistoryEntry[] | { entries: HistoryEntry[] }>("GET", `/apps/${appId}/history`, {
    token,
  });
  expect(r.status).toBe(200);
  return Array.isArray(r.body) ? r.body : r.body.entries;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("text Postgres cannot hold", () => {
  it("a message with U+0000 is a 400 validation_failed naming `message`, and no app is made", async () => {
    const user = await createUser();
    const r = await callJson("POST", "/message", {
      token: user.token,
      body: { message: "Build a notes app\nwith a \u0000 byte" },
    });
    expectProblem(r, 400, "validation_failed");
    expect((r.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["message"]);
    const apps = await callJson<{ pagination: { total: number } }>("GET", "/apps", { token: user.token });
    expect(apps.body.pagination.total).toBe(0);
  });

  it("a settings string (or key) with U+0000 is a 400 naming its path", async () => {
    const user = await createUser();
    for (const [settings, path] of [
      [{ theme: { name: "a\u0000b" } }, "settings.theme.name"],
      [{ list: ["ok", "\u0000"] }, "settings.list.1"],
      [{ "k\u0000": 1 }, "settings.k\u0000"],
    ] as const) {
      const r = await callJson("POST", "/message", { token: user.token, body: { message: "hi", settings } });
      expectProblem(r, 400, "validation_failed");
      expect((r.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([path]);
    }
  });

  it("agent text with U+0000 and lone surrogates: kept exactly in the log, U+FFFD in history; the app is idle and readable", async () => {
    const user = await createUser();
    const r = await runToDone("[scenario:unstorable] Build a notes app", { token: user.token });
    expect(names(r).at(-1)).toBe("done");
    expect(r.events.find((e) => e.event === "error")).toBeUndefined();
    const texts = r.events
      .filter((e) => e.event === "message")
      .flatMap((e) => (e.json as { message: { messages: { content: string }[] } }).message.messages)
      .map((m) => m.content);
    expect(texts).toContain("Reading a file with a \u0000 byte and a lone \ud800 surrogate");
    expect(texts).toContain("Done: \u0000 and \udc00 kept");

    const rows = await eventually(
      () => history(user.token, r.appId),
      (h) => h.some((x) => x.prompt.startsWith("Done")),
    );
    const prompts = rows.map((h) => h.prompt);
    expect(prompts).toContain("Reading a file with a \uFFFD byte and a lone \uFFFD surrogate");
    expect(prompts).toContain("Done: \uFFFD and \uFFFD kept");
    const app = await eventually(
      () =>
        callJson<{ runStatus: string; appName: string | null }>("GET", `/apps/${r.appId}`, {
          token: user.token,
        }),
      (a) => a.body.runStatus === "idle",
    );
    expect(app.body.runStatus).toBe("idle");
    expect(app.body.appName).toMatch(/\uFFFD$/);
    const url = await callJson("GET", `/apps/${r.appId}/read-url`, { token: user.token });
    expect(url.status).toBe(200);
    // The next message is accepted.
    const next = await runToDone("[scenario:refine] more", { token: user.token, applicationId: r.appId });
    expect(names(next).at(-1)).toBe("done");
  });

  it("a history row Postgres refuses is set aside; the rows after it and the app row are written, nothing stays pending", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a diary", { token: user.token });
    await eventually(
      () => history(user.token, first.appId),
      (h) => h.length >= 2,
    );
    const row = (prompt: string, createdAt: string) =>
      JSON.stringify({
        prompt,
        kind: "user",
        messageKind: "UserMessage",
        metadata: null,
        traceId: null,
        runId: null,
        createdAt,
      });
    await runInDurableObject(stub(first.appId), async (_i: AppSession, state) => {
      const last = state.storage.sql.exec<{ n: number }>("SELECT MAX(seq) AS n FROM events").one().n;
      // Year 0 is outside what a Postgres timestamp holds: the insert fails for its data, every time.
      state.storage.sql.exec(
        "INSERT INTO user_rows (after_seq, row) VALUES (?, ?)",
        last,
        row("refused", "0000-01-01T00:00:00.000Z"),
      );
      state.storage.sql.exec(
        "INSERT INTO user_rows (after_seq, row) VALUES (?, ?)",
        last,
        row("after it", new Date().toISOString()),
      );
      state.storage.sql.exec(
        "INSERT INTO meta (key, value) VALUES ('pending_mirror', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        JSON.stringify({ appName: "Set Aside Test" }),
      );
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    await runDurableObjectAlarm(stub(first.appId));
    const rows = await eventually(
      () => history(user.token, first.appId),
      (h) => h.some((x) => x.prompt === "after it"),
    );
    const prompts = rows.map((h) => h.prompt);
    expect(prompts).toContain("after it");
    expect(prompts).not.toContain("refused");
    const app = await callJson<{ appName: string | null }>("GET", `/apps/${first.appId}`, {
      token: user.token,
    });
    expect(app.body.appName).toBe("Set Aside Test");
    const pending = await runInDurableObject(
      stub(first.appId),
      (_i: AppSession, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM user_rows").one().n,
    );
    expect(pending).toBe(0);
    expect(config.DATABASE_URL).toBeTruthy();
  });
});
