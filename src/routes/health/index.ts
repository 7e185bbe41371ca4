import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, problems } from "../../lib/router";
import { checkDatabase } from "../../services/health/database";

const HealthSchema = z
  .object({ status: z.literal("ok"), version: z.string(), time: z.string() })
  .openapi("Health");

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Service"],
  summary: "Liveness: answers without touching the database",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } } },
});

const ready = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["Service"],
  summary: "Readiness: 200 when the database answers, else 503 upstream_unavailable",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: HealthSchema } } },
    ...problems(503),
  },
});

export const healthRoutes = createRouter()
  .openapi(health, (c) =>
    c.json({ status: "ok" as const, version: c.var.ctx.config.VERSION, time: new Date().toISOString() }, 200),
  )
  .openapi(ready, async (c) => {
    const { ctx } = c.var;
    await checkDatabase({ ctx });
    return c.json(
      { status: "ok" as const, version: ctx.config.VERSION, time: new Date().toISOString() },
      200,
    );
  });
