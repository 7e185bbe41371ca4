import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../context";
import { AppError, ERROR_STATUS, type ErrorCode, type FieldError } from "../errors";

/** The issue parameter that marks a size limit whose breach is a 413, not a 400 (docs/decisions.md, Requests: message, settings). */
export const TOO_LARGE = "payload_too_large";

/**
 * Options for a `.refine` that checks a size limit: its issue carries `params.payload_too_large`,
 * a typed mark, so the status never depends on the message's text.
 */
export const tooLarge = (message: string) => ({ error: message, params: { [TOO_LARGE]: true } });

const isTooLarge = (i: ZodError["issues"][number]) =>
  i.code === "custom" && (i.params as Record<string, unknown> | undefined)?.[TOO_LARGE] === true;

function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
}

/** zod failures → problem+json: bad path ids are 404, size limits 413, the rest 400 with `errors`. */
export function validationError(target: string, error: ZodError): AppError {
  if (target === "param") return new AppError("not_found", "No such resource");
  const big = error.issues.find(isTooLarge);
  if (big) return new AppError("payload_too_large", big.message || "Too large");
  if (target === "json" && error.issues.some((i) => i.code === "invalid_type" && i.path.length === 0)) {
    return new AppError("validation_failed", "The request body must be a JSON object", {
      errors: fieldErrors(error),
    });
  }
  return new AppError("validation_failed", "The request is invalid", { errors: fieldErrors(error) });
}

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error);
    },
  });
}

export const UuidParam = z
  .uuid()
  .openapi({ param: { in: "path" }, example: "0b7d3c1e-5a2f-4c8e-9d61-2f4a7b9c0e13" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z
      .enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]])
      .openapi({ description: "Stable: clients switch on it; the status follows from it" }),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** Problem responses for a route's `responses` table. */
export function problems(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: Record<string, { schema: typeof ProblemSchema }> }
  > = {};
  for (const s of statuses) {
    out[s] = {
      description: `Problem details (${s})`,
      content: { "application/problem+json": { schema: ProblemSchema } },
    };
  }
  return out;
}

export const BEARER = [{ bearerAuth: [] }];
