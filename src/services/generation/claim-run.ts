import { type SQL, sql } from "drizzle-orm";
import { type ServiceContext, usingDb } from "../../context";
import { sqlState } from "../../db/errors";
import {
  type CountResult,
  countResult,
  countToday,
  type LimitStatus,
  limitRow,
  utcDay,
} from "../limits/counter";

/** What the app's session needs to start a run (AppSession.start). */
export interface StartInput {
  appId: string;
  runId: string;
  traceId: string;
  userId: string;
  ownerIsEmployee: boolean;
  /** Set when this message creates the app (its row is written with the run's start). */
  newApp: { name: string; clientSource: string } | null;
  techStack: string;
  message: string;
  settings: Record<string, unknown>;
  idempotency: { key: string; hash: string } | null;
  /** Set for a restore (`POST /apps/:id/versions/:version/restore`): no agent run, that version's files. */
  restore?: { version: number } | null;
}

/** How a start ended: the run's stream, or why there is none (nothing of it was kept). */
export type StartAnswer =
  | { type: "started"; stream: ReadableStream<Uint8Array>; limit: LimitStatus }
  /** Another run holds the app's lock. */
  | { type: "in_progress"; runId: string }
  /** This request's run (same runId, or same user and Idempotency-Key) already holds the lock. */
  | { type: "attach"; runId: string }
  | { type: "key_reused" }
  /** Another request holds the Idempotency-Key: its run is the answer. */
  | { type: "key_taken" }
  | { type: "not_found" }
  /** A restore of a version the app does not have. */
  | { type: "no_version" }
  | { type: "limited"; limit: LimitStatus }
  /** Postgres could not settle the start: nothing was kept, the request can be repeated. */
  | { type: "unavailable" };

export interface ClaimInput {
  appId: string;
  runId: string;
  userId: string;
  traceId: string;
  /** A new app gets its row here; an existing one must still be the user's and not deleted. */
  newApp: { name: string; techStack: string; clientSource: string } | null;
  idempotency: { key: string; hash: string } | null;
}

export type ClaimResult =
  | { type: "claimed"; limit: CountResult }
  /** The app is no longer the user's (deleted, or never was). */
  | { type: "gone" }
  | { type: "limited"; limit: CountResult }
  /** Another request took the Idempotency-Key first; nothing was written. */
  | { type: "key_taken" };

type ClaimRow = {
  lim: number;
  is_custom: boolean;
  app_ok: boolean;
  counted: number | null;
  before: number | null;
};

/**
 * Settles a run's start in one statement, so in one transaction: the app is the user's and live
 * (its row locked against a concurrent delete), today's message is counted only while under the
 * limit, the Idempotency-Key is claimed, and the app row says `running`. Each write depends on the
 * one before (`where exists`), so a refusal writes nothing; a key another request holds makes the
 * key insert fail (23505), which rolls back the count and the app row with it. The app's session
 * calls it without a request: the statement runs on a short-lived handle of its own.
 */
export async function claimRun({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: ClaimInput;
}): Promise<ClaimResult> {
  const { appId, userId } = input;
  const now = new Date();
  const day = utcDay(now);
  const app: SQL = input.newApp
    ? sql`select ${appId}::uuid as id`
    : sql`select id from apps
          where id = ${appId}::uuid and owner_id = ${userId} and deleted_at is null for update`;
  const key = input.idempotency;
  const keyed: SQL = key
    ? sql`, k as (
        insert into idempotency_keys (user_id, key, request_hash, app_id, run_id)
        select ${userId}, ${key.key}, ${key.hash}, ${appId}::uuid, ${input.runId}
        where exists (select 1 from counted)
        returning 1)`
    : sql``;
  const n = input.newApp;
  const row: SQL = n
    ? sql`insert into apps (id, owner_id, name, tech_stack, client_source, trace_id, run_status, last_run_at)
          select ${appId}::uuid, ${userId}, ${n.name}, ${n.techStack}, ${n.clientSource}, ${input.traceId},
            'running', ${now.toISOString()}::timestamptz
          where exists (select 1 from counted)
          returning id`
    : sql`update apps set run_status = 'running', last_run_at = ${now.toISOString()}::timestamptz,
            trace_id = ${input.traceId}, updated_at = ${now.toISOString()}::timestamptz
          where id = ${appId}::uuid and exists (select 1 from counted)
          returning id`;
  let rows: ClaimRow[];
  try {
    ({ rows } = await usingDb(ctx, (db) =>
      db.execute<ClaimRow>(sql`
      with l as (${limitRow(userId, ctx.config.DAILY_MESSAGE_LIMIT)}),
      app as (${app}),
      counted as (${countToday(userId, day, sql`exists (select 1 from app)`)})${keyed},
      a as (${row})
      select l.lim, l.is_custom, exists (select 1 from app) as app_ok,
        (select count from counted) as counted,
        (select count from message_usage where user_id = ${userId} and day = ${day}::date) as before,
        (select count(*) from a) as written
      from l`),
    ));
  } catch (err) {
    if (key && sqlState(err) === "23505") return { type: "key_taken" };
    throw err;
  }
  const r = rows[0];
  if (!r) throw new Error("claimRun: the statement returned no row");
  if (!r.app_ok) return { type: "gone" };
  const limit = countResult(day, r, now);
  return limit.allowed ? { type: "claimed", limit } : { type: "limited", limit };
}
