import { z } from "@hono/zod-openapi";
import { UuidParam } from "../../lib/router";

/** `:id` of an app and `:version`, a whole number from 1 (anything else is 404, like a bad id). */
export const VersionParams = z.object({
  id: UuidParam,
  version: z
    .string()
    .regex(/^[1-9]\d{0,8}$/)
    .transform(Number)
    .openapi({ param: { in: "path" }, type: "integer", minimum: 1, example: "1" }),
});
