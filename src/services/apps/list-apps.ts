import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { sendTogether } from "../../db/client";
import { apps } from "../../db/schema";
import { type LimitStatus, limitStatusStatement } from "../limits/counter";
import { type AppSummaryWire, toAppSummary } from "./wire";

export interface Pagination {
  total: number;
  page: number;
  limit: number;
  totalPages: number;
}

/**
 * The owner's live apps, newest first, and the owner's daily-limit status (the headers of
 * `GET /apps`): both statements in one round trip (sendTogether). The total rides along with
 * the page as a window count.
 */
export async function listApps({
  ctx,
  input: opts,
}: {
  ctx: ServiceContext<"db" | "user">;
  input: { page: number; limit: number };
}): Promise<{ data: AppSummaryWire[]; pagination: Pagination; limits: LimitStatus }> {
  const { db } = ctx;
  const ownerId = ctx.user.id;
  const mine = and(eq(apps.ownerId, ownerId), isNull(apps.deletedAt));
  const limitStatus = limitStatusStatement(ctx.config.DAILY_MESSAGE_LIMIT, { userId: ownerId });
  const [rows, limitRows] = await sendTogether(db, [
    db
      .select({
        id: apps.id,
        name: apps.name,
        appName: apps.appName,
        techStack: apps.techStack,
        deployStatus: apps.deployStatus,
        appUrl: apps.appUrl,
        repositoryUrl: apps.repositoryUrl,
        traceId: apps.traceId,
        createdAt: apps.createdAt,
        updatedAt: apps.updatedAt,
        total: sql<number>`count(*) over ()`.mapWith(Number),
      })
      .from(apps)
      .where(mine)
      .orderBy(desc(apps.createdAt), desc(apps.id))
      .limit(opts.limit)
      .offset((opts.page - 1) * opts.limit),
    limitStatus.query(db),
  ]);
  // A page past the end has no row to carry the total: ask for it alone.
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && opts.page > 1) {
    const [c] = await db.select({ n: count() }).from(apps).where(mine);
    total = c?.n ?? 0;
  }
  return {
    data: rows.map(toAppSummary),
    pagination: { total, page: opts.page, limit: opts.limit, totalPages: Math.ceil(total / opts.limit) },
    limits: limitStatus.read(limitRows),
  };
}
