import { createRoute } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { startRestore } from "../../services/generation/start-run";
import { limitHeaders } from "../../services/limits/counter";
import { IdempotencyHeaders, sseHeaders, sseResponse } from "../generation/schemas";
import { VersionParams } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/apps/{id}/versions/{version}/restore",
  tags: ["Versions"],
  summary: "Restore a version: its files become the app's next version, committed and deployed",
  description:
    "No agent run: version N's files become a new version (one commit, `Restore version N`), stored, " +
    "published and deployed like any other. The answer is the restore's stream, as for `POST /message`: " +
    "a `version_restored` platform message (`metadata.version` the new version, `metadata.restoredFrom` " +
    "N), then the publish and deploy messages, then `done`; `GET /apps/{id}/events` streams the same. " +
    "The rules of a message apply: Idempotency-Key, 409 `run_in_progress` while a run is going, and the " +
    "daily limit (a restore counts as one message; one that fails before its version is made is given " +
    "back). A version the app does not have is 404 `no_such_version`. The next message's run starts from the restored files.",
  security: BEARER,
  request: { params: VersionParams, headers: IdempotencyHeaders },
  responses: { 200: sseResponse, ...problems(401, 404, 409, 429, 503) },
});

export const restoreVersionRoute = createRouter().openapi(route, async (c) => {
  const { id, version } = c.req.valid("param");
  const started = await startRestore({
    ctx: c.var.ctx,
    input: { appId: id, version, idempotencyKey: c.req.valid("header")["idempotency-key"] },
  });
  return new Response(started.stream, {
    status: 200,
    headers: sseHeaders({ "x-app-id": started.appId, ...limitHeaders(started.limit) }),
  });
});
