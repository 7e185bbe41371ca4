import { env, runInDurableObject } from "cloudflare:test";
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import type { AppSession } from "../src/session/app-session";
import type { SessionStorage } from "../src/session/storage";
import { call } from "./helpers/api";
import { runToDone } from "./helpers/generation";
import { createUser } from "./helpers/users";

const stub = (appId: string) => sessionStub(env, appId);

const storeOf = (instance: AppSession) => (instance as unknown as { store: SessionStorage }).store;

describe("replays in pages", () => {
  it("a log larger than 16 MiB is replayed whole, in order, from after=0", async () => {
    const user = await createUser();
    const first = await runToDone("[scenario:refine] a big log", { token: user.token });
    const big = "x".repeat(512 * 1024);
    const added = 36; // 18 MiB of events
    for (let i = 0; i < added; i++) {
      await runInDurableObject(stub(first.appId), (instance: AppSession) => {
        storeOf(instance).appendEvent("bulk-run", "note", JSON.stringify({ i, pad: big }));
      });
    }
    const res = await call("GET", `/apps/${first.appId}/events?after=0`, { token: user.token });
    expect(res.status).toBe(200);
    // Read to the end keeping only ids and the bulk events' numbers (the test holds no 18 MiB copy).
    const ids: number[] = [];
    const bulk: number[] = [];
    const parser = createParser({
      onEvent: (m) => {
        ids.push(Number(m.id));
        if (m.event === "note") bulk.push((JSON.parse(m.data) as { i: number }).i);
      },
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    expect(bulk).toEqual(Array.from({ length: added }, (_, i) => i));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  }, 90_000);
});
