import { sql } from "drizzle-orm";
import { type ServiceContext, usingDb } from "../../context";
import { pgText } from "../history/pg-text";

// The two writers of an `app_versions` row: the app's session when it makes the version
// (through its outbox), and the publishing step once the version is committed. Either may come
// first, so both upsert and each leaves the other's columns alone.

/** What the session knows of a version it made. */
export interface VersionRecord {
  version: number;
  runId: string;
  traceId: string;
  commitMessage: string;
  files: number;
  insertions: number;
  deletions: number;
  restoredFrom: number | null;
  createdAt: string;
}

/** The session's rows (repeatable: a retried flush writes the same values). */
export async function writeVersionRows({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; rows: VersionRecord[] };
}): Promise<void> {
  const { appId, rows } = input;
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      version: r.version,
      run_id: r.runId,
      trace_id: r.traceId,
      commit_message: pgText(r.commitMessage),
      files: r.files,
      insertions: r.insertions,
      deletions: r.deletions,
      restored_from: r.restoredFrom,
      created_at: r.createdAt,
    })),
  );
  await usingDb(ctx, (db) =>
    db.execute(sql`
    insert into app_versions
      (app_id, version, run_id, trace_id, commit_message, files, insertions, deletions, restored_from, created_at)
    select ${appId}::uuid, x.version, x.run_id, x.trace_id, x.commit_message, x.files, x.insertions,
      x.deletions, x.restored_from, x.created_at
    from jsonb_to_recordset(${json}::jsonb) as x(version int, run_id text, trace_id text,
      commit_message text, files int, insertions int, deletions int, restored_from int, created_at timestamptz)
    on conflict (app_id, version) do update set run_id = excluded.run_id, trace_id = excluded.trace_id,
      commit_message = excluded.commit_message, files = excluded.files, insertions = excluded.insertions,
      deletions = excluded.deletions, restored_from = excluded.restored_from, created_at = excluded.created_at`),
  );
}

/** The publishing step's part: the version's commit. */
export function recordVersionCommit({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; version: number; commitSha: string; commitUrl: string };
}): Promise<void> {
  return usingDb(ctx, async (db) => {
    await db.execute(sql`
      insert into app_versions (app_id, version, commit_sha, commit_url)
      values (${input.appId}::uuid, ${input.version}, ${input.commitSha}, ${input.commitUrl})
      on conflict (app_id, version) do update
        set commit_sha = excluded.commit_sha, commit_url = excluded.commit_url`);
  });
}
