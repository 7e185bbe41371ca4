import { eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import type { Db } from "../../db/client";
import { apps } from "../../db/schema";
import type { Logger as FullLogger } from "../../logger";
import { type VersionRecord, writeVersionRows } from "../versions/record";
import { isDataError, pgJson, pgText, pgTextOrNull } from "./pg-text";

// The AppSession's writes to Postgres: its history rows (`app_prompts`) and what the `apps` row
// says about the session. The session keeps what is pending in its own storage and calls these.

/** A history row as written to `app_prompts`. */
export interface HistoryRow {
  prompt: string;
  kind: "user" | "assistant";
  messageKind: string;
  metadata: unknown;
  traceId: string | null;
  runId: string | null;
  createdAt: string;
}

/** What the `apps` row should say about the session. */
export interface AppMirror {
  runStatus?: "idle" | "running";
  lastRunAt?: string;
  snapshotVersion?: number;
  appName?: string;
  /** Versions made since the last flush (`app_versions` rows). */
  versions?: VersionRecord[];
}

type Logger = Pick<FullLogger, "error">;

export interface HistoryWriter {
  /** Rows numbered from `firstSeq`; a row Postgres can never hold is set aside (logged). */
  writeRows(firstSeq: number, rows: HistoryRow[]): Promise<void>;
  /** The app-row patch; one Postgres refuses for its content is dropped (logged). */
  writeMirror(patch: AppMirror): Promise<void>;
}

/**
 * The writer of one app's history rows and app-row patch, on the context's database handle: the
 * session gives it one short-lived handle for a whole flush (withDbContext).
 */
export function historyWriter({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db">;
  input: { appId: string };
}): HistoryWriter {
  const { appId } = input;
  return {
    writeRows: (firstSeq, rows) => writeRows(ctx.db, appId, firstSeq, rows, ctx.logger),
    writeMirror: (patch) => writeMirror(ctx, appId, patch),
  };
}

/**
 * One `app_prompts` insert; its values carry U+FFFD where Postgres cannot hold the agent's text.
 * The rows travel as one JSON parameter expanded by `jsonb_to_recordset`: a fixed statement with
 * two parameters, however many rows, which is far cheaper to build on the relay path than one
 * parameter per column per row (ids are made by Postgres).
 */
function insertRows(db: Db, appId: string, firstSeq: number, rows: HistoryRow[]) {
  const json = JSON.stringify(
    rows.map((r, j) => ({
      seq: firstSeq + j,
      prompt: pgText(r.prompt),
      kind: r.kind,
      message_kind: pgText(r.messageKind),
      metadata: pgJson(r.metadata ?? null),
      trace_id: pgTextOrNull(r.traceId),
      run_id: r.runId,
      created_at: r.createdAt,
    })),
  );
  return db.execute(sql`
    insert into app_prompts
      (id, app_id, seq, prompt, kind, message_kind, metadata, trace_id, run_id, created_at)
    select gen_random_uuid(), ${appId}::uuid, x.seq, x.prompt, x.kind, x.message_kind,
      nullif(x.metadata, 'null'::jsonb), x.trace_id, x.run_id, x.created_at
    from jsonb_to_recordset(${json}::jsonb) as x(seq int, prompt text, kind text, message_kind text,
      metadata jsonb, trace_id text, run_id text, created_at timestamptz)
    on conflict (app_id, seq) do nothing`);
}

/**
 * Writes rows numbered from `firstSeq`. A batch Postgres refuses for what it holds is tried row by
 * row, and a row it still refuses is set aside (logged with the app id and its seq): it can never
 * be written, and the history after it must not wait for it. Other failures are thrown (retried).
 */
async function writeRows(db: Db, appId: string, firstSeq: number, rows: HistoryRow[], log: Logger) {
  try {
    await insertRows(db, appId, firstSeq, rows);
    return;
  } catch (err) {
    if (!isDataError(err)) throw err;
    log.error("history batch refused by Postgres; writing it row by row", {
      err,
      appId,
      seqFrom: firstSeq,
      seqTo: firstSeq + rows.length - 1,
    });
  }
  for (let j = 0; j < rows.length; j++) {
    try {
      await insertRows(db, appId, firstSeq + j, [rows[j]!]);
    } catch (err) {
      if (!isDataError(err)) throw err;
      log.error("history row set aside: Postgres cannot hold it", {
        err,
        appId,
        seqFrom: firstSeq + j,
        seqTo: firstSeq + j,
      });
    }
  }
}

async function writeMirror(ctx: ServiceContext<"db">, appId: string, m: AppMirror): Promise<void> {
  try {
    if (m.versions?.length) await writeVersionRows({ ctx, input: { appId, rows: m.versions } });
    await ctx.db
      .update(apps)
      .set({
        ...(m.runStatus ? { runStatus: m.runStatus } : {}),
        ...(m.lastRunAt ? { lastRunAt: new Date(m.lastRunAt) } : {}),
        ...(m.snapshotVersion !== undefined ? { snapshotVersion: m.snapshotVersion } : {}),
        ...(m.appName ? { appName: pgText(m.appName) } : {}),
        updatedAt: new Date(),
      })
      .where(eq(apps.id, appId));
  } catch (err) {
    if (!isDataError(err)) throw err;
    ctx.logger.error("app row update set aside: Postgres cannot hold it", { err, appId, patch: m });
  }
}
