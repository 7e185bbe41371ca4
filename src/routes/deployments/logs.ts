import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems, UuidParam } from "../../lib/router";
import {
  FOLLOW_MAX_MS,
  followDeploymentLogs,
  LOGS_TYPES,
  type LogsPage,
  type LogsRequest,
  readDeploymentLogs,
} from "../../services/deployments/logs";
import { intQuery } from "../apps/schemas";
import { sseHeaders } from "../generation/schemas";

/** What a followed stream's events carry (a page is plain text). */
export type {
  EndEventData as LogsEndEvent,
  LogsEventData as LogsEvent,
} from "../../services/deployments/logs";

const Query = z.object({
  type: z
    .enum(LOGS_TYPES)
    .optional()
    .openapi({
      param: { in: "query", name: "type" },
      description:
        "`build`: the image build's output (CodeBuild, every phase and command). `runtime`: the deployed " +
        "instance's output (stdout, stderr and Koyeb's own lines about it). Default: the cursor's type, else `build`.",
    }),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .openapi({
      param: { in: "query", name: "cursor" },
      description:
        "Where to read on: the `x-next-cursor` of an earlier page (or an event id of a followed stream).",
    }),
  limit: intQuery(1, 1000, 200).openapi({ param: { in: "query", name: "limit" } }),
  follow: z
    .enum(["1", "true", "0", "false"])
    .optional()
    .openapi({
      param: { in: "query", name: "follow" },
      description: "`1`: follow live as server-sent events.",
    }),
});

const route = createRoute({
  method: "get",
  path: "/apps/{id}/deployments/{deploymentId}/logs",
  tags: ["Deployments"],
  summary: "A deployment's build or runtime logs, a page at a time or followed live",
  description:
    "Lines are the app's own output, oldest first, as `<ISO time> <line>\\n` (an entry with line " +
    "breaks gives several lines with its time); credentials and account ids of the platform are " +
    "replaced with `[redacted]`. A page holds at most `limit` entries (and about 1 MB). " +
    "`x-has-more: true`: more lines are there now, ask again with `x-next-cursor` at once; `false`: " +
    "caught up, ask again later. No `x-next-cursor`: the logs are complete (the build is over, or the " +
    "deployment failed or was cancelled) and everything was read. Before the build or the Koyeb " +
    "deployment has started, a page is empty. " +
    "With `follow=1`: `text/event-stream` (`retry: 2000`, a `: keepalive` comment at least every 15 s). " +
    "`logs` events `{ lines: [{ timestamp, message }] }` whose `id` is the cursor after them " +
    "(`Last-Event-ID` resumes there), then one `end` event `{ reason, status, cursor }` and the " +
    "stream closes: `complete` (nothing more can come), `deployment_ended` (runtime logs of a " +
    `healthy deployment, caught up; read on with the cursor later) or \`limit\` (followed for ` +
    `${FOLLOW_MAX_MS / 60_000} minutes or its polling budget: reconnect with the cursor). Build logs ` +
    "are complete when the build is over, runtime logs when the deployment failed or was cancelled. " +
    "An upstream failure that lasts is an `error` event `{ code, message }`, then the stream closes. " +
    "204 when following has nothing to send and the logs are complete, or the deployment is healthy " +
    "and caught up (stops a browser EventSource from reconnecting in a loop). A cursor of another " +
    "deployment, or of the other `type`, is 400. 502/503 name the log service that failed.",
  security: BEARER,
  request: {
    params: z.object({ id: UuidParam, deploymentId: UuidParam }),
    query: Query,
    headers: z.object({ "last-event-id": z.string().max(2048).optional() }),
  },
  responses: {
    200: {
      description: "A page of lines, or the followed stream",
      headers: z.object({
        "x-next-cursor": z.string().optional().openapi({ description: "Pass as `cursor` to read on." }),
        "x-has-more": z.enum(["true", "false"]).openapi({ description: "More lines are there right now." }),
      }),
      content: {
        "text/plain": { schema: z.string() },
        "text/event-stream": { schema: z.string() },
      },
    },
    204: { description: "Following has nothing to send: the logs are complete or caught up with" },
    ...problems(400, 401, 404, 502, 503),
  },
});

type Query = z.infer<typeof Query>;

/** The cursor comes from `Last-Event-ID` (an EventSource reconnecting) before `?cursor=`. */
function logsRequest(
  params: { id: string; deploymentId: string },
  q: Query,
  lastEventId?: string,
): LogsRequest {
  return {
    appId: params.id,
    deploymentId: params.deploymentId,
    type: q.type,
    limit: q.limit,
    cursor: lastEventId || q.cursor,
    cursorName: lastEventId ? "Last-Event-ID" : "cursor",
  };
}

function pageHeaders(page: LogsPage): Record<string, string> {
  return {
    "content-type": "text/plain; charset=utf-8",
    "x-has-more": String(page.hasMore),
    ...(page.nextCursor ? { "x-next-cursor": page.nextCursor } : {}),
  };
}

export const logsRoute = createRouter().openapi(route, async (c) => {
  const { ctx } = c.var;
  const q = c.req.valid("query");
  const input = logsRequest(c.req.valid("param"), q, c.req.valid("header")["last-event-id"]);
  if (q.follow === "1" || q.follow === "true") {
    const opened = await followDeploymentLogs({ ctx, input });
    if (opened.status === 204) return c.body(null, 204);
    return new Response(opened.stream, { headers: sseHeaders({}) });
  }
  const page = await readDeploymentLogs({ ctx, input });
  return c.body(page.text, 200, pageHeaders(page));
});
