import { sql } from "drizzle-orm";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";

const TIMEOUT_MS = 5_000;

/** Readiness: the database answers a trivial query within the timeout, else upstream_unavailable. */
export async function checkDatabase({ ctx }: { ctx: ServiceContext<"db"> }): Promise<void> {
  try {
    await Promise.race([
      ctx.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database timeout")), TIMEOUT_MS)),
    ]);
  } catch (err) {
    throw new AppError("upstream_unavailable", "The database is not answering", { cause: err });
  }
}
