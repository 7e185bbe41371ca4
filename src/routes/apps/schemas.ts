import { z } from "@hono/zod-openapi";
import { DEPLOYMENT_STATUSES } from "../../db/schema";
import { UuidParam } from "../../lib/router";

// The wire shapes of api.md, shared by every apps and deployments route. The row → wire mappers
// are in src/services/apps/wire.ts; the route handlers' typed `c.json` keeps the two in step.

const Timestamp = z.string().openapi({ example: "2026-11-26T09:00:00.000Z" });

export const DeploymentSchema = z
  .object({
    id: z.uuid(),
    appId: z.uuid(),
    status: z.enum(DEPLOYMENT_STATUSES),
    reason: z.string().nullable().openapi({ description: "A human-readable cause on `failed`." }),
    commitSha: z.string().nullable(),
    imageUri: z.string().nullable(),
    url: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .openapi("Deployment");

export const AppSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    appName: z.string().nullable().openapi({ description: "The repository name." }),
    techStack: z.string(),
    deployStatus: z.enum(["pending", "deploying", "deployed", "failed"]),
    appUrl: z.string().nullable(),
    repositoryUrl: z.string().nullable(),
    traceId: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("AppSummary");

export const AppSchema = AppSummarySchema.extend({
  clientSource: z.string(),
  githubOwner: z.string().nullable(),
  githubRepo: z.string().nullable(),
  runStatus: z.enum(["idle", "running"]),
  lastRunAt: Timestamp.nullable(),
  latestDeployment: DeploymentSchema.nullable(),
  snapshotVersion: z
    .number()
    .int()
    .nullable()
    .openapi({ description: "The latest stored version (from 1); null before the first generated code." }),
}).openapi("App");

export const HistoryEntrySchema = z
  .object({
    id: z.uuid(),
    appId: z.uuid(),
    prompt: z.string(),
    kind: z.enum(["user", "assistant"]),
    messageKind: z.string().openapi({
      description:
        "`UserMessage`, an agent kind (`StageResult`, `RefinementRequest`, `ReviewResult`, " +
        "`RuntimeError`, `WipUpdate`) or `PlatformMessage`.",
    }),
    metadata: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description:
          "The platform message metadata (`type`, `githubUrl`, `commitSha`, …); null otherwise. On " +
          "`repo_created` and `commit_created`, files of the version not in the commit: `skippedPaths` " +
          "(paths) and `skipped` (the same, `[{ path, reason }]`, reason `not_applied` for a diff " +
          "section that could not be applied such as a binary one, `workflow_file` for " +
          "`.github/workflows/` in the platform's org, `invalid_path` or `undecodable`).",
      }),
    traceId: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi("HistoryEntry");

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

export type DeploymentResponse = z.infer<typeof DeploymentSchema>;
export type AppSummaryResponse = z.infer<typeof AppSummarySchema>;
export type AppResponse = z.infer<typeof AppSchema>;
export type HistoryEntryResponse = z.infer<typeof HistoryEntrySchema>;
