import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { isEmployee } from "../../services/identity/profile";

export const IsEmployeeSchema = z.object({ isNeonEmployee: z.boolean() }).openapi("IsNeonEmployee");
export type IsEmployeeResponse = z.infer<typeof IsEmployeeSchema>;

const route = createRoute({
  method: "get",
  path: "/auth/is-neon-employee",
  tags: ["Identity"],
  summary: "Whether the caller is an employee",
  description:
    "True when the caller's verified e-mail domain is one of EMPLOYEE_EMAIL_DOMAINS or the caller " +
    "is a member of the GitHub org EMPLOYEE_GITHUB_ORG (asked as the platform's GitHub App, cached " +
    "for an hour).",
  security: BEARER,
  responses: {
    200: { description: "Employee status", content: { "application/json": { schema: IsEmployeeSchema } } },
    ...problems(401, 503),
  },
});

export const isNeonEmployee = createRouter().openapi(route, async (c) =>
  c.json({ isNeonEmployee: await isEmployee({ ctx: c.var.ctx }) }, 200),
);
