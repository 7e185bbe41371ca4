import { z } from "@hono/zod-openapi";
import { UuidParam } from "../../lib/router";

// Route-only shapes of the apps and deployments routes; the answers' schemas are beside the
// services that produce them (src/services/apps/wire.ts).

/** `:id` of an app; a non-UUID is 404 (the router's validation hook). */
export const AppIdParams = z.object({ id: UuidParam });

/** A whole number in a query string, `min..max`, `fallback` when absent; "1.5", "abc", "" → 400. */
export function intQuery(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback)
    .openapi({ type: "integer", minimum: min, maximum: max, default: fallback });
}
