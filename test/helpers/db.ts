import { afterAll } from "vitest";
import { type Db, openDb } from "../../src/db/client";
import { config } from "./env";

/** The test file's own database handle (real Postgres), closed after the file's tests. */
export function useTestDb(): Db {
  const handle = openDb(config);
  afterAll(() => handle.end());
  return handle.db;
}
