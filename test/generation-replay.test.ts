import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import type { AppSession } from "../src/session/app-session";
import type { SessionStorage } from "../src/session/storage";
import { chunks } from "../src/session/storage";
import { MAX_READERS_PER_APP } from "../src/session/subscribers";
import { call, callJson, expectProblem } from "./helpers/api";
import { names, runToDone, sendMessage } from "./helpers/generation";
import { isDone, readSse } from "./helpers/sse";
import { createUser } from "./helpers/users";

const stub = (appId: string) => sessionStub(env, appId);

const storeOf = (instance: AppSession) => (instance as unknown as { store: SessionStorage }).store;

describe("replays, readers and chunks", () => {
  it(`at most ${MAX_READERS_PER_APP} readers per app: one more is a 429 too_many_readers`, async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] popular", { token: user.token });
    const running = await sendMessage("[scenario:silence ms=60000] wait", {
      token: user.token,
      applicationId: first.appId,
    });
    expect(running.status).toBe(200);
    const readers: Response[] = [];
    // The run's own stream is one reader.
    for (let i = 0; i < MAX_READERS_PER_APP - 1; i++) {
      const res = await call("GET", `/apps/${first.appId}/events`, { token: user.token });
      expect(res.status).toBe(200);
      readers.push(res);
    }
    const refused = await callJson("GET", `/apps/${first.appId}/events`, { token: user.token });
    expectProblem(refused, 429, "too_many_readers");
    await callJson("POST", `/apps/${first.appId}/cancel`, { token: user.token });
    const own = await readSse(running, { until: isDone });
    expect(names(own).slice(-2)).toEqual(["error", "done"]);
    for (const res of readers) {
      const r = await readSse(res);
      expect(r.ended).toBe(true);
    }
    const again = await call("GET", `/apps/${first.appId}/events?after=0`, { token: user.token });
    expect(again.status).toBe(200);
    await again.body?.cancel();
  }, 60_000);

  it("chunked texts never split a surrogate pair: an emoji on a chunk boundary survives storage", async () => {
    expect(chunks("ab😀cd", 3)).toEqual(["ab", "😀c", "d"]);
    const user = await createUser();
    const first = await runToDone("[scenario:refine] emoji", { token: user.token });
    const text = `${"a".repeat(512 * 1024 - 1)}😀${"b".repeat(10)}`;
    const back = await runInDurableObject(stub(first.appId), (instance: AppSession) => {
      const store = storeOf(instance);
      store.putText("probe", text);
      const read = store.getText("probe");
      store.putText("probe", null);
      return read;
    });
    expect(back === text).toBe(true);
  });
});
