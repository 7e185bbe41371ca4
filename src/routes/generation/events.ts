import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../errors";
import { BEARER, createRouter, problems } from "../../lib/router";
import { MAX_READERS_PER_APP, openAppEvents } from "../../services/generation/app-events";
import { AppIdParams } from "../apps/schemas";
import { sseHeaders, sseResponse } from "./schemas";

const Cursor = z.coerce.number().int().min(0);

const route = createRoute({
  method: "get",
  path: "/apps/{id}/events",
  tags: ["Generation"],
  summary: "The app's event log: replay after a cursor, then follow live",
  description:
    "Cursor: `Last-Event-ID` header or `?after=`. No cursor: the current (or last) run from its first " +
    "event; `after=0`: the whole log. Follows live events while a run or a deployment of the app is in " +
    "progress and closes after the last of them ends. 204 when nothing is in progress and nothing is " +
    "after the cursor (stops a browser EventSource from reconnecting in a loop). At most " +
    `${MAX_READERS_PER_APP} readers per app at once: beyond that 429 \`too_many_readers\`.`,
  security: BEARER,
  request: {
    params: AppIdParams,
    query: z.object({ after: z.string().optional().openapi({ description: "Event id to resume after" }) }),
    headers: z.object({ "last-event-id": z.string().optional() }),
  },
  responses: {
    200: sseResponse,
    204: { description: "Nothing to replay and nothing in progress" },
    ...problems(400, 401, 404, 429),
  },
});

function cursor(value: string | undefined, name: string): number | null {
  if (value === undefined || value === "") return null;
  const parsed = Cursor.safeParse(value);
  if (!parsed.success) {
    throw new AppError("validation_failed", `${name} must be a non-negative integer event id`, {
      errors: [{ path: name, message: "must be a non-negative integer" }],
    });
  }
  return parsed.data;
}

export const eventsRoute = createRouter().openapi(route, async (c) => {
  const { ctx } = c.var;
  const after =
    cursor(c.req.valid("header")["last-event-id"], "Last-Event-ID") ??
    cursor(c.req.valid("query").after, "after");
  const opened = await openAppEvents({ ctx, input: { appId: c.req.valid("param").id, after } });
  const appHeader = { "x-app-id": opened.appId };
  if (opened.status === 204) return new Response(null, { status: 204, headers: appHeader });
  return new Response(opened.stream, { status: 200, headers: sseHeaders(appHeader) });
});
