import { createRoute } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { MessageBody } from "../../services/generation/message-body";
import { startRun } from "../../services/generation/start-run";
import { limitHeaders } from "../../services/limits/counter";
import { IdempotencyHeaders, sseHeaders, sseResponse } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/message",
  tags: ["Generation"],
  summary: "Send a message: starts a run of the agent and streams its events",
  description:
    "Checks, in order: auth (401), body (400/413), Idempotency-Key (a known key attaches to its run; " +
    "the same key with another body → 409 `idempotency_key_reused`), app (404), another run of the app " +
    "(409 `run_in_progress` with `eventsUrl`), daily limit (429). The run lives on the server: a client " +
    "that disconnects stops nothing and catches up through `GET /apps/{id}/events`.",
  security: BEARER,
  request: {
    headers: IdempotencyHeaders,
    body: { content: { "application/json": { schema: MessageBody } }, required: true },
  },
  responses: { 200: sseResponse, ...problems(400, 401, 404, 409, 413, 429, 503) },
});

export const messageRoute = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const started = await startRun({
    ctx: c.var.ctx,
    input: { ...body, idempotencyKey: c.req.valid("header")["idempotency-key"] },
  });
  return new Response(started.stream, {
    status: 200,
    headers: sseHeaders({ "x-app-id": started.appId, ...limitHeaders(started.limit) }),
  });
});
