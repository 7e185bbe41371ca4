import { env, runDurableObjectAlarm } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionStub } from "../src/bindings";
import { appPrompts } from "../src/db/schema";
import { useTestDb } from "./helpers/db";
import { runToDone } from "./helpers/generation";
import { createUser } from "./helpers/users";

// A history row that cannot reach Postgres stays queued in the session and the alarm writes it.

const db = useTestDb();

const stub = (appId: string) => sessionStub(env, appId);

/**
 * Until the returned function is called, Postgres refuses every history insert for this app as a
 * server that is not accepting connections does (57P03: not about the row, so it is retried).
 */
async function refuseHistoryWrites(appId: string): Promise<() => Promise<void>> {
  const name = `refuse_${appId.replaceAll("-", "")}`;
  await db.execute(
    sql.raw(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
        `IF NEW.app_id = '${appId}' THEN RAISE EXCEPTION 'not accepting writes' USING ERRCODE = '57P03'; END IF; ` +
        "RETURN NEW; END $$",
    ),
  );
  await db.execute(
    sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON app_prompts FOR EACH ROW EXECUTE FUNCTION ${name}()`),
  );
  return async () => {
    await db.execute(sql.raw(`DROP TRIGGER ${name} ON app_prompts`));
    await db.execute(sql.raw(`DROP FUNCTION ${name}()`));
  };
}

async function platformRows(appId: string) {
  return db
    .select({ prompt: appPrompts.prompt })
    .from(appPrompts)
    .where(and(eq(appPrompts.appId, appId), eq(appPrompts.messageKind, "PlatformMessage")));
}

describe("history flush", () => {
  it("a platform message whose history row Postgres refused is written by the next alarm", async () => {
    const user = await createUser();
    const { appId } = await runToDone("[scenario:refine] a planner", { token: user.token });
    const githubUrl = `https://github.com/appbuilder-apps/planner-${appId.slice(0, 8)}`;
    const allow = await refuseHistoryWrites(appId);
    try {
      await stub(appId).platformMessage({
        appId,
        version: null,
        metadata: { type: "repo_created", githubUrl },
      });
    } finally {
      await allow();
    }
    expect(await platformRows(appId)).toEqual([]);
    expect(await runDurableObjectAlarm(stub(appId))).toBe(true);
    expect(await platformRows(appId)).toEqual([{ prompt: `Repository created: ${githubUrl}` }]);
  });
});
