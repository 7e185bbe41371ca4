import { z } from "@hono/zod-openapi";
import { tooLarge } from "../../lib/router";

// The body of POST /message: what a run starts from. The OpenAPI document and the validation of
// the route use this schema; startRun takes what it parses to.

export const TEMPLATE_IDS = ["trpc_agent", "nicegui_agent", "laravel_agent"] as const;

const MAX_SETTINGS_BYTES = 16 * 1024;
const NUL = "\u0000";
const NUL_MESSAGE = "must not contain the character U+0000, which cannot be stored";

/** The path of the first string (key or value) holding U+0000 inside a settings value, if any. */
function nulPath(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === "string") return value.includes(NUL) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes(NUL)) return [...path, k];
      const found = nulPath(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

export const MessageBody = z
  .object({
    message: z
      .string()
      .min(1)
      .max(32_000)
      .refine((m) => m.length <= 32_000, tooLarge("message is longer than 32,000 characters"))
      .refine((m) => !m.includes(NUL), { error: NUL_MESSAGE })
      .openapi({ example: "Build a todo app with a database" }),
    applicationId: z
      .string()
      .nullish()
      .openapi({ description: "null or absent: a new app; else one of the caller's apps (404 otherwise)" }),
    templateId: z
      .enum(TEMPLATE_IDS)
      .default("trpc_agent")
      .openapi({ description: "Fixed after the app's first run: a different value later is ignored" }),
    clientSource: z.string().max(32).default("web"),
    settings: z
      .record(z.string(), z.unknown())
      .default({})
      .refine(
        (s) => new TextEncoder().encode(JSON.stringify(s)).byteLength <= MAX_SETTINGS_BYTES,
        tooLarge("settings is larger than 16 KiB"),
      )
      .superRefine((s, ctx) => {
        const path = nulPath(s, []);
        if (path) ctx.addIssue({ code: "custom", path, message: NUL_MESSAGE });
      })
      .openapi({ description: "Forwarded to the agent as is (at most 16 KiB of JSON)" }),
    traceId: z
      .string()
      .optional()
      .openapi({
        description:
          "Ignored for a new app. For an existing app: `app-<applicationId>.req-<anything>` (at most 256 " +
          "characters, no control characters); one naming another app is replaced by a new one, a " +
          "malformed one is a 400",
      }),
  })
  .openapi("MessageRequest");
