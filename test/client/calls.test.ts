import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type AgentMessageData,
  ApiError,
  type DoneData,
  type PlatformMessageData,
  type PlatformMessageType,
  type PlatformMetadata,
  type ProblemCode,
  type RunErrorCode,
  type RunErrorData,
} from "../../client/src/index";
import type { ErrorCode, RunErrorCode as ServerRunErrorCode } from "../../src/errors";
import type {
  agentMessageEvent,
  doneEvent,
  errorEvent,
  PlatformType,
  platformMessageEvent,
  PlatformMetadata as ServerPlatformMetadata,
} from "../../src/session/events";
import { clientFor, collect } from "../helpers/client";
import { createEmployee, createUser } from "../helpers/users";

// The typed JSON calls against the real Worker, and the client's types held to the Worker's.

async function problemOf(call: Promise<unknown>): Promise<ApiError> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

describe("typed calls", () => {
  it("a GET answers its status, typed JSON body and headers", async () => {
    const user = await createUser();
    const api = clientFor(user.token);
    const me = await api.get("/me");
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ id: user.id, email: user.email, isNeonEmployee: false });
    expect(me.headers.get("x-request-id")).toBeTruthy();
    const limit = await api.get("/message-limit");
    expectTypeOf(limit.data.remainingMessages).toEqualTypeOf<number>();
    expect(limit.data).toMatchObject({ dailyMessageLimit: 10, currentUsage: 0, isUserLimitReached: false });
    expect(limit.headers.get("x-dailylimit-remaining")).toBe("10");
  });

  it("path parameters, query and a typed result per status (cancel: 200 or 202)", async () => {
    const user = await createUser();
    const api = clientFor(user.token);
    const run = api.sendMessage({ message: "[scenario:refine] a list" });
    await collect(run);
    const id = run.appId!;
    const app = await api.get("/apps/{id}", { path: { id } });
    expect(app.data).toMatchObject({ id, runStatus: "idle", latestDeployment: null, snapshotVersion: null });
    const list = await api.get("/apps", { query: { page: 1, limit: 5 } });
    expect(list.data.pagination).toEqual({ total: 1, page: 1, limit: 5, totalPages: 1 });
    const history = await api.get("/apps/{id}/history", { path: { id }, query: { limit: 1 } });
    expect(history.data).toHaveLength(1);
    expect(history.headers.get("x-next-before")).toBeTruthy();
    const cancel = await api.post("/apps/{id}/cancel", { path: { id } });
    if (cancel.status === 202) expectTypeOf(cancel.data).toEqualTypeOf<{ cancelled: boolean }>();
    expect(cancel).toMatchObject({ status: 200, data: { cancelled: false } });
  });

  it("a JSON body, and a 204 whose data is undefined", async () => {
    const staff = await createEmployee();
    const user = await createUser();
    const api = clientFor(staff.token);
    const path = { userId: user.id };
    const set = await api.put("/admin/users/{userId}/message-limit", { path, body: { dailyLimit: 3 } });
    expect(set.data).toMatchObject({ userId: user.id, dailyLimit: 3, isCustom: true });
    const removed = await api.delete("/admin/users/{userId}/message-limit", { path });
    expectTypeOf(removed.data).toEqualTypeOf<undefined>();
    expect(removed).toMatchObject({ status: 204, data: undefined });
  });
});

describe("problems", () => {
  it("an error answer throws an ApiError holding the problem document", async () => {
    const user = await createUser();
    const err = await problemOf(
      clientFor(user.token).get("/apps/{id}", { path: { id: crypto.randomUUID() } }),
    );
    expect(err).toMatchObject({ status: 404, code: "not_found" });
    expect(err.problem).toMatchObject({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      code: "not_found",
    });
    expect(err.requestId).toBe(err.headers.get("x-request-id"));
    expectTypeOf(err.code).toEqualTypeOf<ProblemCode | "unexpected_response">();
  });

  it("401 without a token, 403 for a non-employee, 400 with the field errors", async () => {
    const anonymous = await problemOf(clientFor(undefined).get("/me"));
    expect(anonymous.code).toBe("unauthorized");
    const user = await createUser();
    const api = clientFor(user.token);
    const forbidden = await problemOf(
      api.get("/admin/users/{userId}/message-limit", { path: { userId: "x" } }),
    );
    expect(forbidden).toMatchObject({ status: 403, code: "forbidden" });
    const invalid = await problemOf(api.get("/apps", { query: { limit: 1000 } }));
    expect(invalid.code).toBe("validation_failed");
    expect(invalid.problem.errors).toEqual([expect.objectContaining({ path: "limit" })]);
  });

  it("an error answer that is not a problem document is an ApiError with code unexpected_response", async () => {
    const api = clientFor(undefined, {
      fetch: async () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    });
    const err = await problemOf(api.get("/health"));
    expect(err).toMatchObject({ status: 502, code: "unexpected_response" });
    expect(err.problem.detail).toContain("bad gateway");
  });
});

describe("types", () => {
  it("the calls take what each operation declares, and event streams only through their methods", () => {
    const api = clientFor(undefined);
    expectTypeOf(api.get<"/health">)
      .parameter(0)
      .toEqualTypeOf<"/health">();
    // @ts-expect-error: `/apps/{id}` needs its path parameter
    void (() => api.get("/apps/{id}"));
    // @ts-expect-error: PUT of a message limit needs its body
    void (() => api.put("/admin/users/{userId}/message-limit", { path: { userId: "u" } }));
    // @ts-expect-error: the event stream is read with followEvents, which resumes
    void (() => api.get("/apps/{id}/events", { path: { id: "x" } }));
    // @ts-expect-error: POST /message is sendMessage
    void (() => api.post("/message", { body: { message: "x" } }));
    // @ts-expect-error: no such route
    void (() => api.get("/nope"));
  });

  // A failure here means the Worker's events changed: update client/src/events.ts to match.
  it("the event shapes are the Worker's: what its event builders make fits the client's types", () => {
    expectTypeOf<PlatformMessageType>().toEqualTypeOf<PlatformType>();
    expectTypeOf<PlatformMetadata>().toEqualTypeOf<ServerPlatformMetadata>();
    expectTypeOf<ReturnType<typeof agentMessageEvent>>().toExtend<AgentMessageData>();
    expectTypeOf<ReturnType<typeof platformMessageEvent>>().toExtend<PlatformMessageData>();
    expectTypeOf<ReturnType<typeof errorEvent>>().toExtend<RunErrorData>();
    expectTypeOf<ReturnType<typeof doneEvent>>().toExtend<DoneData>();
    expectTypeOf<RunErrorCode>().toEqualTypeOf<ServerRunErrorCode>();
    expectTypeOf<ProblemCode>().toEqualTypeOf<ErrorCode>();
  });
});
