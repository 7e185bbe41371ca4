import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type Db, openDb } from "../src/db/client";
import { customMessageLimits, messageUsage } from "../src/db/schema";
import {
  countMessage,
  getLimitStatus,
  limitHeaders,
  nextUtcMidnight,
  refundMessage,
  utcDay,
} from "../src/services/limits/counter";
import type { MessageLimitWire } from "../src/services/limits/wire";
import { callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { config, testContext } from "./helpers/env";
import { createUser } from "./helpers/users";

const db = useTestDb();

const userId = () => `limits-${crypto.randomUUID()}`;
/** The services' context with DAILY_MESSAGE_LIMIT `limit`, on the test's handle unless given another. */
const limited = (limit: number, on: Db = db) => testContext({ DAILY_MESSAGE_LIMIT: limit }, { db: on });

describe("countMessage", () => {
  it("20 concurrent messages against a limit of 5 allow exactly 5", async () => {
    const id = userId();
    // One pool per call, so the 20 statements really race on separate connections.
    const handles = Array.from({ length: 20 }, () => openDb(config));
    try {
      const results = await Promise.all(
        handles.map((h) => countMessage({ ctx: limited(5, h.db), input: { userId: id } })),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      expect(results.filter((r) => !r.allowed)).toHaveLength(15);
      expect(
        results
          .filter((r) => r.allowed)
          .map((r) => r.usage)
          .sort(),
      ).toEqual([1, 2, 3, 4, 5]);
      for (const r of results.filter((x) => !x.allowed)) {
        expect(r).toMatchObject({ limit: 5, usage: 5, remaining: 0 });
      }
    } finally {
      await Promise.all(handles.map((h) => h.end()));
    }
    const [row] = await db.select().from(messageUsage).where(eq(messageUsage.userId, id));
    expect(row?.count).toBe(5);
  });

  it("counts on today's UTC day and reports the next UTC midnight", async () => {
    const id = userId();
    const now = new Date("2026-11-26T23:59:59.000Z");
    const r = await countMessage({ ctx: limited(3), input: { userId: id, now } });
    expect(r).toEqual({
      allowed: true,
      day: "2026-11-26",
      limit: 3,
      usage: 1,
      remaining: 2,
      isCustom: false,
      resetAt: new Date("2026-11-27T00:00:00.000Z"),
    });
    // A new UTC day starts from zero.
    const next = await countMessage({
      ctx: limited(3),
      input: { userId: id, now: new Date("2026-11-27T00:00:00.000Z") },
    });
    expect(next).toMatchObject({ allowed: true, day: "2026-11-27", usage: 1 });
  });

  it("a custom limit row wins over the default", async () => {
    const id = userId();
    await db.insert(customMessageLimits).values({ userId: id, dailyLimit: 2 });
    expect(await countMessage({ ctx: limited(10), input: { userId: id } })).toMatchObject({
      allowed: true,
      limit: 2,
      isCustom: true,
    });
    expect(await countMessage({ ctx: limited(10), input: { userId: id } })).toMatchObject({
      allowed: true,
      usage: 2,
      remaining: 0,
    });
    expect(await countMessage({ ctx: limited(10), input: { userId: id } })).toMatchObject({
      allowed: false,
      limit: 2,
      usage: 2,
      remaining: 0,
    });
  });

  it("a custom limit lowered below today's usage refuses and reports the real usage", async () => {
    const id = userId();
    for (let i = 0; i < 4; i++) await countMessage({ ctx: limited(10), input: { userId: id } });
    await db.insert(customMessageLimits).values({ userId: id, dailyLimit: 3 });
    expect(await countMessage({ ctx: limited(10), input: { userId: id } })).toMatchObject({
      allowed: false,
      limit: 3,
      usage: 4,
      remaining: 0,
    });
  });

  it("a limit of 0 refuses every message and writes nothing", async () => {
    const id = userId();
    expect(await countMessage({ ctx: limited(0), input: { userId: id } })).toMatchObject({
      allowed: false,
      limit: 0,
      usage: 0,
      remaining: 0,
    });
    const rows = await db.select().from(messageUsage).where(eq(messageUsage.userId, id));
    expect(rows).toEqual([]);
  });

  it("a database that cannot be reached is an error, never an unlimited allowance", async () => {
    const broken = openDb({ ...config, DATABASE_URL: "postgres://app:app@127.0.0.1:1/app" });
    try {
      await expect(
        countMessage({ ctx: limited(5, broken.db), input: { userId: userId() } }),
      ).rejects.toThrow();
      await expect(
        getLimitStatus({ ctx: limited(5, broken.db), input: { userId: userId() } }),
      ).rejects.toThrow();
    } finally {
      await broken.end();
    }
  });
});

describe("refundMessage and getLimitStatus", () => {
  it("a refund gives one message back and never goes below zero", async () => {
    const id = userId();
    const first = await countMessage({ ctx: limited(2), input: { userId: id } });
    await countMessage({ ctx: limited(2), input: { userId: id } });
    expect(await countMessage({ ctx: limited(2), input: { userId: id } })).toMatchObject({ allowed: false });
    await refundMessage({ ctx: limited(2), input: { userId: id, day: first.day } });
    expect(await getLimitStatus({ ctx: limited(2), input: { userId: id } })).toMatchObject({
      usage: 1,
      remaining: 1,
    });
    await refundMessage({ ctx: limited(2), input: { userId: id, day: first.day } });
    await refundMessage({ ctx: limited(2), input: { userId: id, day: first.day } });
    expect(await getLimitStatus({ ctx: limited(2), input: { userId: id } })).toMatchObject({
      usage: 0,
      remaining: 2,
    });
    // A refund for a day without a row changes nothing.
    await refundMessage({ ctx: limited(2), input: { userId: id, day: "2001-01-01" } });
    expect(await getLimitStatus({ ctx: limited(2), input: { userId: id } })).toMatchObject({ usage: 0 });
  });

  it("getLimitStatus reads the limit, the usage and the reset without counting", async () => {
    const id = userId();
    const now = new Date("2026-03-31T12:00:00.000Z");
    await countMessage({ ctx: limited(4), input: { userId: id, now } });
    const s = await getLimitStatus({ ctx: limited(4), input: { userId: id, now } });
    expect(s).toEqual({
      limit: 4,
      usage: 1,
      remaining: 3,
      isCustom: false,
      resetAt: new Date("2026-04-01T00:00:00.000Z"),
    });
    expect(await getLimitStatus({ ctx: limited(4), input: { userId: id, now } })).toEqual(s);
  });

  it("limitHeaders names the four x-dailylimit headers", () => {
    const resetAt = nextUtcMidnight(new Date("2026-12-31T08:00:00.000Z"));
    expect(limitHeaders({ limit: 10, usage: 3, remaining: 7, resetAt, isCustom: false })).toEqual({
      "x-dailylimit-limit": "10",
      "x-dailylimit-remaining": "7",
      "x-dailylimit-usage": "3",
      "x-dailylimit-reset": "2027-01-01T00:00:00.000Z",
    });
    expect(utcDay(new Date("2026-12-31T23:59:59.999Z"))).toBe("2026-12-31");
  });
});

describe("GET /message-limit", () => {
  it("answers the limit, today's usage and the headers", async () => {
    const me = await createUser();
    const r = await callJson<MessageLimitWire>("GET", "/message-limit", { token: me.token });
    expect(r.status).toBe(200);
    const reset = nextUtcMidnight(new Date()).toISOString();
    expect(r.body).toEqual({
      isUserLimitReached: false,
      dailyMessageLimit: 10,
      remainingMessages: 10,
      currentUsage: 0,
      nextResetTime: reset,
    });
    expect(r.res.headers.get("x-dailylimit-limit")).toBe("10");
    expect(r.res.headers.get("x-dailylimit-remaining")).toBe("10");
    expect(r.res.headers.get("x-dailylimit-usage")).toBe("0");
    expect(r.res.headers.get("x-dailylimit-reset")).toBe(reset);
  });

  it("reflects counted messages and a reached limit", async () => {
    const me = await createUser();
    await db.insert(customMessageLimits).values({ userId: me.id, dailyLimit: 2 });
    await countMessage({ ctx: limited(config.DAILY_MESSAGE_LIMIT), input: { userId: me.id } });
    const one = await callJson<MessageLimitWire>("GET", "/message-limit", { token: me.token });
    expect(one.body).toMatchObject({ isUserLimitReached: false, dailyMessageLimit: 2, currentUsage: 1 });
    await countMessage({ ctx: limited(config.DAILY_MESSAGE_LIMIT), input: { userId: me.id } });
    const two = await callJson<MessageLimitWire>("GET", "/message-limit", { token: me.token });
    expect(two.body).toMatchObject({ isUserLimitReached: true, remainingMessages: 0, currentUsage: 2 });
    expect(two.res.headers.get("x-dailylimit-remaining")).toBe("0");
  });

  it("needs a valid token", async () => {
    expectProblem(await callJson("GET", "/message-limit"), 401, "unauthorized");
    expectProblem(await callJson("GET", "/message-limit", { token: "x.y.z" }), 401, "unauthorized");
  });
});
