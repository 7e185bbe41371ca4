import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { tooLarge, validationError } from "../src/lib/router";
import { MessageBody } from "../src/services/generation/message-body";

// A size limit's 413 comes from a typed mark on the issue, never from the text of its message.

const issues = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error("expected a failure");
  return r.error;
};

describe("validationError", () => {
  it("a limit marked tooLarge is 413 whatever its message says", () => {
    const schema = z.string().refine((s) => s.length <= 3, tooLarge("too long for us"));
    const err = validationError("json", issues(schema, "abcd"));
    expect(err).toMatchObject({ code: "payload_too_large", message: "too long for us" });
  });

  it("an ordinary limit whose message happens to start with payload_too_large stays a 400", () => {
    const schema = z.string().max(3, { error: "payload_too_large: just a note" });
    expect(validationError("json", issues(schema, "abcd"))).toMatchObject({ code: "validation_failed" });
  });

  it("message over 32,000 characters and settings over 16 KiB are 413; an empty message is 400", () => {
    const long = validationError("json", issues(MessageBody, { message: "x".repeat(32_001) }));
    expect(long).toMatchObject({
      code: "payload_too_large",
      message: "message is longer than 32,000 characters",
    });
    const settings = { big: "y".repeat(17 * 1024) };
    expect(validationError("json", issues(MessageBody, { message: "hi", settings }))).toMatchObject({
      code: "payload_too_large",
      message: "settings is larger than 16 KiB",
    });
    expect(validationError("json", issues(MessageBody, { message: "" }))).toMatchObject({
      code: "validation_failed",
    });
  });
});
