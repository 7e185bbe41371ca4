import type { AppPromptRow, AppRow, DeploymentRow, DeploymentStatus } from "../../db/schema";

// Row → wire shape, in one place: every route that answers an app, a deployment or a history
// entry uses these, so the shapes in api.md hold everywhere. Never the agent state, tokens or keys.

export interface AppSummaryWire {
  id: string;
  name: string;
  appName: string | null;
  techStack: string;
  deployStatus: AppRow["deployStatus"];
  appUrl: string | null;
  repositoryUrl: string | null;
  traceId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentWire {
  id: string;
  appId: string;
  status: DeploymentStatus;
  reason: string | null;
  commitSha: string | null;
  imageUri: string | null;
  url: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface AppWire extends AppSummaryWire {
  clientSource: string;
  githubOwner: string | null;
  githubRepo: string | null;
  runStatus: AppRow["runStatus"];
  lastRunAt: string | null;
  latestDeployment: DeploymentWire | null;
  snapshotVersion: number | null;
}

export interface HistoryEntryWire {
  id: string;
  appId: string;
  prompt: string;
  kind: AppPromptRow["kind"];
  messageKind: string;
  metadata: Record<string, unknown> | null;
  traceId: string | null;
  createdAt: string;
}

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

export type HistoryRow = Pick<
  AppPromptRow,
  "id" | "appId" | "prompt" | "kind" | "messageKind" | "metadata" | "traceId" | "createdAt"
>;

export function toHistoryEntry(row: HistoryRow): HistoryEntryWire {
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
