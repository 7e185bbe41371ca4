import { describe, expect, it } from "vitest";
import { call, callJson, expectProblem } from "./helpers/api";

describe("service routes", () => {
  it("GET /health answers without auth", async () => {
    const r = await callJson<{ status: string; version: string; time: string }>("GET", "/health");
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("ok");
    expect(Date.parse(r.body.time)).not.toBeNaN();
    expect(r.res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("GET /health/ready reaches the database", async () => {
    const r = await callJson("GET", "/health/ready");
    expect(r.status).toBe(200);
  });

  it("keeps a sane caller request id and replaces an unsafe one", async () => {
    const kept = await call("GET", "/health", { headers: { "x-request-id": "abc.DEF:1-2_3" } });
    expect(kept.headers.get("x-request-id")).toBe("abc.DEF:1-2_3");
    const replaced = await call("GET", "/health", { headers: { "x-request-id": "bad id with spaces" } });
    expect(replaced.headers.get("x-request-id")).not.toBe("bad id with spaces");
  });

  it("GET /openapi.json is an OpenAPI 3.1 document", async () => {
    const r = await callJson<{ openapi: string; paths: Record<string, unknown> }>("GET", "/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toContain("/health");
  });

  it("GET /docs serves the reference page", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("/openapi.json");
  });

  it("an unknown route without a token is a 401 problem", async () => {
    expectProblem(await callJson("GET", "/nope"), 401, "unauthorized");
  });
});
