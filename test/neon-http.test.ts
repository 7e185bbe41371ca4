// The local SQL-over-HTTP endpoint (dev/neon-http.mjs) driven by the real driver, `neon()` from
// @neondatabase/serverless, checked against the same driver's WebSocket path to the same Postgres
// (the Postgres wire protocol is the oracle): types, nulls, arrays, errors with their SQLSTATE,
// batches and their rollback, array mode and full results.
import { type NeonQueryFunction, neon, neonConfig, Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../src/db/client";
import { config } from "./helpers/env";

let sql: NeonQueryFunction<false, false>;
let pool: Pool;

beforeAll(async () => {
  openDb(config); // points the driver at the local proxy, as every request does
  sql = neon(config.DATABASE_URL);
  pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
  // An idle connection closed under it (the run ends, the proxy goes) is no test failure.
  pool.on("error", () => {});
  await pool.query("create table if not exists neon_http_probe (id int primary key, note text not null)");
  await pool.query("truncate neon_http_probe");
});
afterAll(async () => {
  await pool.query("drop table if exists neon_http_probe");
  await pool.end();
});

const TYPES_QUERY = `select
  $1::int8 as big, 42::int4 as small, $2::numeric as money, 1.5::float8 as float,
  $3::json as js, $4::jsonb as jsb, $5::timestamptz as at, true as yes, false as no,
  $6::bytea as bytes, $7::int4[] as ints, $8::text[] as texts, null::text as nothing,
  $9::text as null_param, 'x'::text as plain, $10::uuid as id, '2024-02-29'::date as day,
  array[[1,2],[3,4]]::int[] as grid, '{"a":[1,{"b":null}]}'::jsonb as nested`;
const TYPES_PARAMS = [
  "9007199254740993",
  "12345678901234567890.000000000001",
  JSON.stringify({ a: 1 }),
  { b: [1, "two", null] },
  new Date("2024-05-06T07:08:09.123Z"),
  new Uint8Array([0, 1, 2, 254, 255]),
  [1, null, 3],
  ["a", 'quote"d', "comma,", null, ""],
  null,
  "0b6f4e5e-37f5-4c7a-9a51-7d3c3f1d2b9a",
];

describe("local Neon SQL-over-HTTP, driven by neon()", () => {
  it("returns every type as the Postgres protocol does", async () => {
    const [http] = await sql.query(TYPES_QUERY, TYPES_PARAMS);
    const { rows } = await pool.query(TYPES_QUERY, TYPES_PARAMS);
    expect(http).toEqual(rows[0]);
    expect(http).toMatchObject({
      big: "9007199254740993",
      small: 42,
      money: "12345678901234567890.000000000001",
      float: 1.5,
      js: { a: 1 },
      jsb: { b: [1, "two", null] },
      yes: true,
      no: false,
      ints: [1, null, 3],
      texts: ["a", 'quote"d', "comma,", null, ""],
      nothing: null,
      null_param: null,
      grid: [
        [1, 2],
        [3, 4],
      ],
      nested: { a: [1, { b: null }] },
    });
    // Whatever the installed type parsers make of a timestamp (text or Date), the same instant.
    expect(new Date(http!.at as string | Date).toISOString()).toBe("2024-05-06T07:08:09.123Z");
    expect([...(http!.bytes as Uint8Array)]).toEqual([0, 1, 2, 254, 255]);
  });

  it("array mode and full results carry fields, command and row count", async () => {
    const full = await sql.query("select 1::int4 as a, 'b'::text as b union all select 2, null", [], {
      arrayMode: true,
      fullResults: true,
    });
    expect(full.rows).toEqual([
      [1, "b"],
      [2, null],
    ]);
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(2);
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ["a", 23],
      ["b", 25],
    ]);
    const ins = await sql.query("insert into neon_http_probe values (100, 'x'), (101, 'y')", [], {
      fullResults: true,
    });
    expect(ins).toMatchObject({ command: "INSERT", rowCount: 2, rows: [] });
  });

  it("errors carry SQLSTATE and the fields Postgres reports", async () => {
    const divide = await sql.query("select 1 / $1::int", [0]).catch((e) => e);
    expect(divide.name).toBe("NeonDbError");
    expect(divide).toMatchObject({ code: "22012", severity: "ERROR", message: "division by zero" });

    await sql.query("insert into neon_http_probe values (1, 'one')");
    const dup = await sql.query("insert into neon_http_probe values (1, 'again')").catch((e) => e);
    expect(dup).toMatchObject({
      code: "23505",
      constraint: "neon_http_probe_pkey",
      table: "neon_http_probe",
      detail: "Key (id)=(1) already exists.",
    });

    const syntax = await sql.query("select from where").catch((e) => e);
    expect(syntax).toMatchObject({ code: "42601", position: "13" });

    // One statement per query, as on Neon (the extended protocol).
    const two = await sql.query("select 1; select 2").catch((e) => e);
    expect(two.code).toBe("42601");
  });

  it("a batch commits together and rolls back together", async () => {
    const [a, b] = await sql.transaction([
      sql`insert into neon_http_probe values (10, ${"ten"}) returning id`,
      sql`select count(*)::int as n from neon_http_probe where id = 10`,
    ]);
    expect(a).toEqual([{ id: 10 }]);
    expect(b).toEqual([{ n: 1 }]);

    const failed = await sql
      .transaction([sql`insert into neon_http_probe values (11, 'eleven')`, sql`select 1 / 0`])
      .catch((e) => e);
    expect(failed.code).toBe("22012");
    const { rows } = await pool.query("select id from neon_http_probe where id = 11");
    expect(rows).toEqual([]);
  });

  it("batch options: read-only and isolation level reach Postgres", async () => {
    const readOnly = await sql
      .transaction([sql`insert into neon_http_probe values (20, 'ro')`], { readOnly: true })
      .catch((e) => e);
    expect(readOnly.code).toBe("25006");
    const [[level]] = (await sql.transaction([sql`show transaction_isolation`], {
      isolationLevel: "Serializable",
    })) as [Array<{ transaction_isolation: string }>];
    expect(level!.transaction_isolation).toBe("serializable");
  });

  it("refuses a wrong password like Postgres does", async () => {
    const url = new URL(config.DATABASE_URL);
    url.password = "wrong";
    const err = await neon(url.toString())
      .query("select 1")
      .catch((e) => e);
    expect(err.code).toBe("28P01");
  });

  it("the app's database handle reads over HTTP and keeps interactive transactions", async () => {
    const { db } = openDb({ ...config, DATABASE_DRIVER: "http" });
    const got = await db
      .transaction(async (tx) => {
        await tx.execute("insert into neon_http_probe values (30, 'tx')");
        const { rows } = await tx.execute<{ n: number }>(
          "select count(*)::int as n from neon_http_probe where id = 30",
        );
        if (rows[0]!.n === 1) throw new Error("roll back");
        return rows;
      })
      .catch((e: Error) => e.message);
    expect(got).toBe("roll back");
    const { rows } = await db.execute<{ n: number }>(
      "select count(*)::int as n from neon_http_probe where id = 30",
    );
    expect(rows).toEqual([{ n: 0 }]);
    expect(neonConfig.fetchEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sql$/);
  });
});
