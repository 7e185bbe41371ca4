import { z } from "@hono/zod-openapi";
import { type AppPromptRow, type AppRow, DEPLOYMENT_STATUSES, type DeploymentRow } from "../../db/schema";

// The wire shapes, in one place: the zod schemas the OpenAPI document and the routes use, the
// types inferred from them, and the row → wire mappers. Every route that answers an app, a
// deployment or a history entry uses these, so the shapes of docs/decisions.md hold everywhere.
// Never the agent state, tokens or keys.

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
  // A union, not `.nullable()`: that would make the registered Deployment component itself
  // nullable in the document (and every deployment in GET /apps/{id}/deployments with it).
  latestDeployment: z.union([DeploymentSchema, z.null()]),
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
          "`.github/workflows/` in the platform's org, `invalid_path` or `undecodable`). On " +
          "`deployment_failed` after the image build or the Koyeb deployment started: `logsUrl`, the path " +
          "of that stage's logs (`/apps/<id>/deployments/<deploymentId>/logs?type=build` or `type=runtime`).",
      }),
    traceId: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi("HistoryEntry");

export type DeploymentWire = z.infer<typeof DeploymentSchema>;
export type AppSummaryWire = z.infer<typeof AppSummarySchema>;
export type AppWire = z.infer<typeof AppSchema>;
export type HistoryEntryWire = z.infer<typeof HistoryEntrySchema>;

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export type AppSummaryRow = Pick<
  AppRow,
  | "id"
  | "name"
  | "appName"
  | "techStack"
  | "deployStatus"
  | "appUrl"
  | "repositoryUrl"
  | "traceId"
  | "createdAt"
  | "updatedAt"
>;

export function toAppSummary(row: AppSummaryRow): AppSummaryWire {
  return {
    id: row.id,
    name: row.name,
    appName: row.appName,
    techStack: row.techStack,
    deployStatus: row.deployStatus,
    appUrl: row.appUrl,
    repositoryUrl: row.repositoryUrl,
    traceId: row.traceId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export type DeploymentWireRow = Pick<
  DeploymentRow,
  | "id"
  | "appId"
  | "status"
  | "reason"
  | "commitSha"
  | "imageUri"
  | "url"
  | "createdAt"
  | "updatedAt"
  | "finishedAt"
>;

export function toDeployment(row: DeploymentWireRow): DeploymentWire {
  return {
    id: row.id,
    appId: row.appId,
    status: row.status,
    reason: row.reason,
    commitSha: row.commitSha,
    imageUri: row.imageUri,
    url: row.url,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    finishedAt: isoOrNull(row.finishedAt),
  };
}

export function toApp(row: AppRow, latestDeployment: DeploymentWireRow | null): AppWire {
  return {
    ...toAppSummary(row),
    clientSource: row.clientSource,
    githubOwner: row.githubOwner,
    githubRepo: row.githubRepo,
    runStatus: row.runStatus,
    lastRunAt: isoOrNull(row.lastRunAt),
    latestDeployment: latestDeployment ? toDeployment(latestDeployment) : null,
    snapshotVersion: row.snapshotVersion,
  };
}

type PromptRow = Pick<
  AppPromptRow,
  "id" | "appId" | "prompt" | "kind" | "messageKind" | "metadata" | "traceId" | "createdAt"
>;

export function toHistoryEntry(row: PromptRow): HistoryEntryWire {
  const meta = row.metadata;
  return {
    id: row.id,
    appId: row.appId,
    prompt: row.prompt,
    kind: row.kind,
    messageKind: row.messageKind,
    metadata:
      meta && typeof meta === "object" && !Array.isArray(meta) ? (meta as Record<string, unknown>) : null,
    traceId: row.traceId,
    createdAt: iso(row.createdAt),
  };
}
