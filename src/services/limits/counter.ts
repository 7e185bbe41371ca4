import { type SQL, sql } from "drizzle-orm";
import { type ServiceContext, usingDb } from "../../context";
import type { Db } from "../../db/client";

/** A user's daily message allowance at one moment. The day is the UTC calendar day. */
export interface LimitStatus {
  limit: number;
  usage: number;
  remaining: number;
  /** The next UTC midnight, when usage starts again from zero. */
  resetAt: Date;
  /** Whether the limit comes from `custom_message_limits` rather than DAILY_MESSAGE_LIMIT. */
  isCustom: boolean;
}

export interface CountResult extends LimitStatus {
  allowed: boolean;
  /** The UTC day the message was counted on (`YYYY-MM-DD`), for a later refund. */
  day: string;
}

export const utcDay = (now: Date) => now.toISOString().slice(0, 10);

export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

function status(limit: number, usage: number, isCustom: boolean, now: Date): LimitStatus {
  return { limit, usage, remaining: Math.max(0, limit - usage), resetAt: nextUtcMidnight(now), isCustom };
}

/** The user's daily limit: their custom one, else the default (columns `lim`, `is_custom`). */
export const limitRow = (userId: string, defaultLimit: number): SQL => sql`
  select coalesce(c.daily_limit, ${defaultLimit}::int) as lim, c.user_id is not null as is_custom
  from (select 1) one
  left join custom_message_limits c on c.user_id = ${userId}`;

/**
 * Counts one message of `day` only while under the limit of CTE `l` (limitRow), and only when
 * `guard` holds; returns the new count, or no row when refused. Concurrent counts cannot overshoot:
 * the increment's own WHERE re-reads the row it updates.
 */
export const countToday = (userId: string, day: string, guard: SQL = sql`true`): SQL => sql`
  insert into message_usage (user_id, day, count)
  select ${userId}, ${day}::date, 1 from l where l.lim > 0 and ${guard}
  on conflict (user_id, day) do update set count = message_usage.count + 1
    where message_usage.count < (select l.lim from l)
  returning count`;

type CountRow = { lim: number; is_custom: boolean; counted: number | null; before: number | null };

/**
 * Counts one of the user's messages against today's limit, or refuses when the limit is reached.
 * One statement: the limit (custom row, else DAILY_MESSAGE_LIMIT) is read inside it and the upsert
 * only increments while `count < limit`, so concurrent requests can never overshoot. Limit 0
 * inserts nothing. A database error is thrown: never treated as "no limit".
 */
export async function countMessage({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { userId: string; now?: Date };
}): Promise<CountResult> {
  const { userId, now = new Date() } = input;
  const day = utcDay(now);
  const { rows } = await usingDb(ctx, (db) =>
    db.execute<CountRow>(sql`
    with l as (${limitRow(userId, ctx.config.DAILY_MESSAGE_LIMIT)}),
    ins as (${countToday(userId, day)})
    select l.lim, l.is_custom,
      (select count from ins) as counted,
      (select count from message_usage where user_id = ${userId} and day = ${day}::date) as before
    from l`),
  );
  const row = rows[0];
  if (!row) throw new Error("countMessage: the counting statement returned no row");
  return countResult(day, row, now);
}

/** The outcome of a counting statement's row: counted (the new usage) or refused. */
export function countResult(
  day: string,
  row: Pick<CountRow, "lim" | "is_custom" | "counted" | "before">,
  now: Date,
): CountResult {
  const limit = Number(row.lim);
  if (row.counted !== null) {
    return { allowed: true, day, ...status(limit, Number(row.counted), row.is_custom, now) };
  }
  // Refused: the real count is at least the limit (the statement's snapshot may predate
  // concurrent increments, so it can read lower).
  const usage = Math.max(Number(row.before ?? 0), limit);
  return { allowed: false, day, ...status(limit, usage, row.is_custom, now) };
}

/** Gives back one counted message of `day` (a run that never started); never goes below 0. */
export async function refundMessage({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { userId: string; day: string };
}): Promise<void> {
  await usingDb(ctx, (db) =>
    db.execute(sql`
    update message_usage set count = count - 1
    where user_id = ${input.userId} and day = ${input.day}::date and count > 0`),
  );
}

/**
 * A user's limit and today's usage, read in one statement. The user is named (not the caller):
 * the admin routes read other users' limits.
 */
export async function getLimitStatus({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { userId: string; now?: Date };
}): Promise<LimitStatus> {
  const statement = limitStatusStatement(ctx.config.DAILY_MESSAGE_LIMIT, input);
  return statement.read(await usingDb(ctx, (db) => statement.query(db)));
}

type LimitRow = { lim: number; is_custom: boolean; usage: number | null };

/**
 * getLimitStatus's statement and how its answer reads, for a caller that sends it together with
 * its own (sendTogether): `GET /apps` reads its page and the limit headers in one round trip.
 */
export function limitStatusStatement(defaultLimit: number, input: { userId: string; now?: Date }) {
  const { userId, now = new Date() } = input;
  const day = utcDay(now);
  return {
    query: (db: Db) =>
      db.execute<LimitRow>(sql`
    select l.lim, l.is_custom,
      (select count from message_usage where user_id = ${userId} and day = ${day}::date) as usage
    from (${limitRow(userId, defaultLimit)}) l`),
    read: ({ rows }: { rows: LimitRow[] }): LimitStatus => {
      const row = rows[0];
      if (!row) throw new Error("getLimitStatus: the statement returned no row");
      return status(Number(row.lim), Number(row.usage ?? 0), row.is_custom, now);
    },
  };
}

/** The four `x-dailylimit-*` headers of `GET /apps`, `GET /message-limit` and `POST /message`. */
export function limitHeaders(s: LimitStatus): Record<string, string> {
  return {
    "x-dailylimit-limit": String(s.limit),
    "x-dailylimit-remaining": String(s.remaining),
    "x-dailylimit-usage": String(s.usage),
    "x-dailylimit-reset": s.resetAt.toISOString(),
  };
}
