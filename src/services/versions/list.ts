import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from "../../db/schema";
import { AppError } from "../../errors";

export const VersionSchema = z
  .object({
    version: z.number().int().min(1),
    createdAt: z.iso.datetime(),
    runId: z.string().nullable().openapi({ description: "The run that made the version." }),
    traceId: z.string().nullable(),
    commitMessage: z.string().nullable(),
    diffStat: z
      .object({
        files: z.number().int(),
        insertions: z.number().int(),
        deletions: z.number().int(),
      })
      .nullable()
      .openapi({
        description:
          "The change from the version before: files added, changed or removed, and lines inserted and " +
          "deleted. Null for versions made before versions were recorded.",
      }),
    restoredFrom: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The version this one restored (`POST …/restore`), else null." }),
    commitSha: z.string().nullable().openapi({ description: "Null until the version is committed." }),
    commitUrl: z.string().nullable(),
    deployment: z
      .object({ id: z.uuid(), status: z.enum(DEPLOYMENT_STATUSES), url: z.string().nullable() })
      .nullable()
      .openapi({ description: "The version's latest deployment, if any." }),
  })
  .openapi("Version");
export type VersionWire = z.infer<typeof VersionSchema>;

export interface VersionsPage {
  versions: VersionWire[];
  /** The cursor (`before`) of the next, older page; null when this page reaches version 1. */
  nextBefore: number | null;
}

type Row = {
  found: string;
  version: number | null;
  created_at: string | Date | null;
  run_id: string | null;
  trace_id: string | null;
  commit_message: string | null;
  files: number | null;
  insertions: number | null;
  deletions: number | null;
  restored_from: number | null;
  commit_sha: string | null;
  commit_url: string | null;
  deployment_id: string | null;
  deployment_status: DeploymentStatus;
  deployment_url: string | null;
};

const iso = (v: string | Date) => (v instanceof Date ? v : new Date(v)).toISOString();

/**
 * The app's versions, newest first, `limit` at a time before version `before`. One statement: the
 * ownership check (a missing or foreign app is 404), the page and each version's latest
 * deployment.
 */
export async function listVersions({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { appId: string; limit: number; before?: number };
}): Promise<VersionsPage> {
  const { appId, limit } = input;
  const ownerId = ctx.user.id;
  const before = input.before ?? null;
  const { rows } = await ctx.db.execute<Row>(sql`
    select a.id as found, v.version, v.created_at, v.run_id, v.trace_id, v.commit_message, v.files,
      v.insertions, v.deletions, v.restored_from, v.commit_sha, v.commit_url,
      d.id as deployment_id, d.status as deployment_status, d.url as deployment_url
    from apps a
    left join lateral (
      select * from app_versions v
      where v.app_id = a.id and (${before}::int is null or v.version < ${before}::int)
      order by v.version desc limit ${limit + 1}
    ) v on true
    left join lateral (
      select d.id, d.status, d.url from deployments d
      where d.app_id = a.id and d.version = v.version
      order by d.created_at desc limit 1
    ) d on true
    where a.id = ${appId}::uuid and a.owner_id = ${ownerId} and a.deleted_at is null
    order by v.version desc`);
  if (rows.length === 0) throw new AppError("not_found", "No such app");
  const versions = rows.flatMap((r): VersionWire[] =>
    r.version === null || r.created_at === null
      ? []
      : [
          {
            version: r.version,
            createdAt: iso(r.created_at),
            runId: r.run_id,
            traceId: r.trace_id,
            commitMessage: r.commit_message,
            diffStat:
              r.files === null
                ? null
                : { files: r.files, insertions: r.insertions ?? 0, deletions: r.deletions ?? 0 },
            restoredFrom: r.restored_from,
            commitSha: r.commit_sha,
            commitUrl: r.commit_url,
            deployment: r.deployment_id
              ? { id: r.deployment_id, status: r.deployment_status, url: r.deployment_url }
              : null,
          },
        ],
  );
  const more = versions.length > limit;
  const kept = more ? versions.slice(0, limit) : versions;
  return { versions: kept, nextBefore: more ? kept[kept.length - 1]!.version : null };
}
