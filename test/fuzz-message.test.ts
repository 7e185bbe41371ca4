// Fuzzing POST /message: no body, however odd, gets a 500, and none wedges the app: after each
// fuzzed request the same app still accepts a normal message.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, callJson } from "./helpers/api";
import { runToDone } from "./helpers/generation";
import { isDone, readSse } from "./helpers/sse";
import { createEmployee, createUser } from "./helpers/users";

const RUNS = 30;

// Odd strings: controls, NUL, lone surrogates, markers the agent stand-in reads, very long text.
const oddString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udfffy",
    "\r\n",
    "[scenario:build]",
    "%00",
    "💥".repeat(50),
  ),
  fc.constant("m".repeat(32_001)),
);
const oddValue = fc.oneof(
  oddString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

function bodyArb(appId: string) {
  return fc.oneof(
    // Fields of the right names with odd values.
    fc
      .record(
        {
          message: fc.oneof(oddString, oddValue),
          applicationId: fc.oneof(fc.constant(appId), oddValue, fc.uuid()),
          templateId: oddValue,
          clientSource: oddValue,
          settings: fc.oneof(fc.dictionary(oddString, oddValue, { maxKeys: 4 }), oddValue),
          traceId: fc.oneof(
            fc.constant(`app-${appId}.req-x`),
            fc.constant(`app-${appId}.req-\u0000`),
            oddString,
            oddValue,
          ),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
    // Any JSON at all, and text that is not JSON.
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom(
      "",
      "{",
      '{"message":',
      "null",
      "[]",
      '{"message":"x"}garbage',
      '{"__proto__":{"message":"x"}}',
    ),
  );
}

/** Sends a body as is; a stream is read to its end so the run is over before the next request. */
async function post(token: string, body: string, contentType: string) {
  const res = await call("POST", "/message", { token, body, headers: { "content-type": contentType } });
  if (res.status === 200) await readSse(res, { until: isDone, timeoutMs: 25_000 });
  else await res.arrayBuffer();
  return res.status;
}

describe("POST /message under fuzzed bodies", () => {
  it(`${RUNS} odd bodies: never a 500, and the app accepts a normal message after each`, async () => {
    const user = await createUser();
    const boss = await createEmployee();
    const limit = await callJson("PUT", `/admin/users/${user.id}/message-limit`, {
      token: boss.token,
      body: { dailyLimit: 1000 },
    });
    expect(limit.status).toBe(200);
    const first = await runToDone("[scenario:refine] a notes app", { token: user.token });
    const appId = first.appId;
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(
        bodyArb(appId),
        fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
        ),
        async (body, type) => {
          const status = await post(user.token, body, type);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `body ${JSON.stringify(body.slice(0, 200))}`).toBeLessThan(500);
          const next = await runToDone("[scenario:refine] one more change", {
            token: user.token,
            applicationId: appId,
          });
          expect(next.events.at(-1)?.event).toBe("done");
          expect(next.events.some((e) => e.event === "error")).toBe(false);
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    console.log(
      `fuzzed POST /message: ${RUNS} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  }, 600_000);
});
