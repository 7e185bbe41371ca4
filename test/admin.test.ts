import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { customMessageLimits } from "../src/db/schema";
import { countMessage, nextUtcMidnight } from "../src/services/limits/counter";
import type { MessageLimitWire, UserMessageLimitWire } from "../src/services/limits/wire";
import { call, callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { testContext } from "./helpers/env";
import { createEmployee, createUser, type TestUser } from "./helpers/users";

const db = useTestDb();

const path = (userId: string) => `/admin/users/${encodeURIComponent(userId)}/message-limit`;
const getLimit = (as: TestUser, userId: string) =>
  callJson<UserMessageLimitWire>("GET", path(userId), { token: as.token });
const putLimit = (as: TestUser, userId: string, body: unknown) =>
  callJson<UserMessageLimitWire>("PUT", path(userId), { token: as.token, body });

describe("admin message limits", () => {
  it("GET answers the default limit and today's usage of any Stack user id", async () => {
    const boss = await createEmployee();
    const userId = `stack-user-${crypto.randomUUID()}`;
    await countMessage({ ctx: testContext({}, { db }), input: { userId } });
    const r = await getLimit(boss, userId);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      userId,
      dailyLimit: 10,
      isCustom: false,
      currentUsage: 1,
      nextResetTime: nextUtcMidnight(new Date()).toISOString(),
    });
  });

  it("PUT sets a custom limit the user then sees, and PUT again replaces it", async () => {
    const boss = await createEmployee();
    const user = await createUser();
    const set = await putLimit(boss, user.id, { dailyLimit: 25 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ userId: user.id, dailyLimit: 25, isCustom: true, currentUsage: 0 });
    const seen = await callJson<MessageLimitWire>("GET", "/message-limit", { token: user.token });
    expect(seen.body).toMatchObject({ dailyMessageLimit: 25, remainingMessages: 25 });

    const again = await putLimit(boss, user.id, { dailyLimit: 3 });
    expect(again.body).toMatchObject({ dailyLimit: 3, isCustom: true });
    expect((await getLimit(boss, user.id)).body).toMatchObject({ dailyLimit: 3, isCustom: true });
  });

  it("DELETE removes the custom limit (204) and keeps today's usage", async () => {
    const boss = await createEmployee();
    const userId = `stack-user-${crypto.randomUUID()}`;
    await putLimit(boss, userId, { dailyLimit: 50 });
    await countMessage({ ctx: testContext({}, { db }), input: { userId } });
    const del = await call("DELETE", path(userId), { token: boss.token });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    expect((await getLimit(boss, userId)).body).toMatchObject({
      dailyLimit: 10,
      isCustom: false,
      currentUsage: 1,
    });
    expect(await db.select().from(customMessageLimits).where(eq(customMessageLimits.userId, userId))).toEqual(
      [],
    );
  });

  it("DELETE without a custom limit is a 204 that changes nothing", async () => {
    const boss = await createEmployee();
    const userId = `stack-user-${crypto.randomUUID()}`;
    expect((await call("DELETE", path(userId), { token: boss.token })).status).toBe(204);
    expect((await getLimit(boss, userId)).body).toMatchObject({
      dailyLimit: 10,
      isCustom: false,
      currentUsage: 0,
    });
  });

  it("a GitHub-org employee is an admin too", async () => {
    const boss = await createUser({ github: { orgs: ["neondatabase"] } });
    expect((await getLimit(boss, "dev-user")).status).toBe(200);
  });

  it.each([
    [{ dailyLimit: 0 }],
    [{ dailyLimit: 10_001 }],
    [{ dailyLimit: 2.5 }],
    [{ dailyLimit: "5" }],
    [{}],
  ])("PUT %j is a validation problem naming dailyLimit", async (body) => {
    const boss = await createEmployee();
    const userId = `stack-user-${crypto.randomUUID()}`;
    const r = await callJson<{ errors: { path: string }[] }>("PUT", path(userId), {
      token: boss.token,
      body,
    });
    expectProblem(r, 400, "validation_failed");
    expect(r.body.errors.map((e) => e.path)).toContain("dailyLimit");
    expect((await getLimit(boss, userId)).body.isCustom).toBe(false);
  });

  it("PUT with a body that is not JSON is a 400 bad_request problem", async () => {
    const boss = await createEmployee();
    const r = await callJson("PUT", path("someone"), { token: boss.token, body: "{not json" });
    expectProblem(r, 400, "bad_request");
  });

  it("a user id over 128 characters is 404", async () => {
    const boss = await createEmployee();
    expectProblem(await getLimit(boss, "u".repeat(129)), 404, "not_found");
    expect((await getLimit(boss, "u".repeat(128))).status).toBe(200);
  });

  it("a non-employee is 403 forbidden on every admin route, before validation, and changes nothing", async () => {
    const user = await createUser();
    const target = `stack-user-${crypto.randomUUID()}`;
    expectProblem(await getLimit(user, target), 403, "forbidden");
    expectProblem(await putLimit(user, target, { dailyLimit: 500 }), 403, "forbidden");
    expectProblem(await putLimit(user, target, { dailyLimit: -1 }), 403, "forbidden");
    expectProblem(await callJson("DELETE", path(target), { token: user.token }), 403, "forbidden");
    expect(await db.select().from(customMessageLimits).where(eq(customMessageLimits.userId, target))).toEqual(
      [],
    );
  });

  it("needs a valid token", async () => {
    expectProblem(await callJson("GET", path("dev-user")), 401, "unauthorized");
    expectProblem(
      await callJson("PUT", path("dev-user"), { token: "nope", body: { dailyLimit: 5 } }),
      401,
      "unauthorized",
    );
    expectProblem(await callJson("DELETE", path("dev-user"), { token: "nope" }), 401, "unauthorized");
  });
});
