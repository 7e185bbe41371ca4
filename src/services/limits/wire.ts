import { z } from "@hono/zod-openapi";
import type { ServiceContext } from "../../context";
import { getLimitStatus, type LimitStatus } from "./counter";

// The daily-limit answers: their zod schemas (the OpenAPI document's), the types inferred from
// them, and how a limit status becomes each.

export const MessageLimitSchema = z
  .object({
    isUserLimitReached: z.boolean(),
    dailyMessageLimit: z.number().int(),
    remainingMessages: z.number().int(),
    currentUsage: z.number().int(),
    nextResetTime: z.string().openapi({ description: "The next UTC midnight (ISO 8601)." }),
  })
  .openapi("MessageLimit");
export type MessageLimitWire = z.infer<typeof MessageLimitSchema>;

export const UserMessageLimitSchema = z
  .object({
    userId: z.string(),
    dailyLimit: z.number().int(),
    isCustom: z.boolean().openapi({ description: "False when DAILY_MESSAGE_LIMIT applies." }),
    currentUsage: z.number().int(),
    nextResetTime: z.string(),
  })
  .openapi("UserMessageLimit");
export type UserMessageLimitWire = z.infer<typeof UserMessageLimitSchema>;

export function toMessageLimit(s: LimitStatus): MessageLimitWire {
  return {
    isUserLimitReached: s.remaining === 0,
    dailyMessageLimit: s.limit,
    remainingMessages: s.remaining,
    currentUsage: s.usage,
    nextResetTime: s.resetAt.toISOString(),
  };
}

/** A user's limit and today's usage, as the admin routes answer it. */
export async function readUserMessageLimit({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { userId: string };
}): Promise<UserMessageLimitWire> {
  const { userId } = input;
  const s = await getLimitStatus({ ctx, input: { userId } });
  return {
    userId,
    dailyLimit: s.limit,
    isCustom: s.isCustom,
    currentUsage: s.usage,
    nextResetTime: s.resetAt.toISOString(),
  };
}
