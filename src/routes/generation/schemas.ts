import { z } from "@hono/zod-openapi";

export const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().min(1).max(255).optional().openapi({
    description: "The same key from the same user within 24 h attaches to the first run's stream",
  }),
});

export const SSE_DESCRIPTION =
  "Server-sent events. Starts with `retry: 2000`; every event has an `id:` (the app's event sequence " +
  "number, usable as `Last-Event-ID`); a `: keepalive` comment at least every 15 s. Events: `message` " +
  "(agent progress without diff or state, or a platform message with `metadata`), `debug` (employees " +
  "only, no id), `error` `{ code, message, traceId, appId }`, and `done` `{ done, traceId, appId }`, " +
  "always last.";

export const sseResponse = {
  description: SSE_DESCRIPTION,
  content: { "text/event-stream": { schema: z.string() } },
};

export function sseHeaders(extra: Record<string, string>): Headers {
  const h = new Headers({
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
  });
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return h;
}
