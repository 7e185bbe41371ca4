import type { FileMode, Tree } from "../lib/tree";

/**
 * The AppSession's SQLite storage. Limits that shape it: a value ≤ 2 MB, a statement ≤ 100 KB,
 * ≤ 100 bound parameters — so large texts (agent state, files) are stored in chunks.
 */
const CHUNK_CHARS = 512 * 1024; // ≤ 2 MB even when every character takes 4 bytes in UTF-8

export interface StoredEvent {
  seq: number;
  runId: string;
  event: string;
  data: string;
}

export type RunStatus = "pending" | "running" | "publishing" | "done";

export interface RunRow {
  id: string;
  traceId: string;
  status: RunStatus;
  userId: string;
  ownerIsEmployee: boolean;
  firstSeq: number | null;
  countedDay: string | null;
  startedAt: number;
  endedAt: number | null;
  lastByteAt: number | null;
  version: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_run_idx ON events (run_id, seq);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
  owner_is_employee INTEGER NOT NULL DEFAULT 0, first_seq INTEGER, counted_day TEXT,
  started_at INTEGER NOT NULL, ended_at INTEGER, last_byte_at INTEGER, version INTEGER);
CREATE TABLE IF NOT EXISTS texts (name TEXT NOT NULL, chunk INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (name, chunk));
CREATE TABLE IF NOT EXISTS files (path TEXT NOT NULL, chunk INTEGER NOT NULL, mode TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (path, chunk));
CREATE TABLE IF NOT EXISTS conversation (idx INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, after_seq INTEGER NOT NULL, row TEXT NOT NULL);
`;

/**
 * Splits a text into chunks of at most `size` UTF-16 units, never between the two halves of a
 * surrogate pair: SQLite stores text as UTF-8, where half a pair would become U+FFFD.
 */
export function chunks(text: string, size = CHUNK_CHARS): string[] {
  if (text.length <= size) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - i > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

const ROWS_PER_INSERT = 25;
const insertSqlBySize = new Map<number, string>();
function insertEventsSql(rows: number): string {
  let text = insertSqlBySize.get(rows);
  if (!text) {
    text = `INSERT INTO events (seq, run_id, event, data) VALUES ${Array(rows).fill("(?, ?, ?, ?)").join(", ")}`;
    insertSqlBySize.set(rows, text);
  }
  return text;
}

export class SessionStorage {
  // The relay path writes two rows per event (the event, its history row) and nothing else:
  // sequence numbers are kept in memory, derived from the tables when the object starts.
  private eventSeq: number | null = null;
  private readonly runsWithFirstSeq = new Set<string>();

  constructor(private readonly sql: SqlStorage) {}

  /** Creates the tables (also after a wipe) and forgets the cached counters. */
  init(): void {
    for (const stmt of SCHEMA.split(";").map((s) => s.trim())) if (stmt) this.sql.exec(stmt);
    this.eventSeq = null;
    this.runsWithFirstSeq.clear();
  }

  // --- meta ---------------------------------------------------------------------------------
  getMeta(key: string): string | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  // --- event log ----------------------------------------------------------------------------

  lastSeq(): number {
    this.eventSeq ??= this.sql.exec<{ n: number }>("SELECT COALESCE(MAX(seq), 0) AS n FROM events").one().n;
    return this.eventSeq;
  }

  appendEvent(runId: string, event: string, data: string): StoredEvent {
    const seq = this.lastSeq() + 1;
    this.sql.exec(
      "INSERT INTO events (seq, run_id, event, data) VALUES (?, ?, ?, ?)",
      seq,
      runId,
      event,
      data,
    );
    this.eventSeq = seq;
    if (!this.runsWithFirstSeq.has(runId)) {
      this.sql.exec("UPDATE runs SET first_seq = COALESCE(first_seq, ?) WHERE id = ?", seq, runId);
      this.runsWithFirstSeq.add(runId);
    }
    return { seq, runId, event, data };
  }

  /**
   * Appends several events of one run in as few statements as SQLite's limit of 100 bound
   * parameters allows (25 rows each): the relay path's main cost is one statement per event.
   */
  appendEvents(runId: string, event: string, datas: string[]): StoredEvent[] {
    if (datas.length === 1) return [this.appendEvent(runId, event, datas[0]!)];
    const first = this.lastSeq() + 1;
    for (let i = 0; i < datas.length; i += ROWS_PER_INSERT) {
      const group = datas.slice(i, i + ROWS_PER_INSERT);
      const params: SqlStorageValue[] = [];
      for (const [j, data] of group.entries()) params.push(first + i + j, runId, event, data);
      this.sql.exec(insertEventsSql(group.length), ...params);
    }
    this.eventSeq = first + datas.length - 1;
    if (!this.runsWithFirstSeq.has(runId)) {
      this.sql.exec("UPDATE runs SET first_seq = COALESCE(first_seq, ?) WHERE id = ?", first, runId);
      this.runsWithFirstSeq.add(runId);
    }
    return datas.map((data, j) => ({ seq: first + j, runId, event, data }));
  }

  eventsAfter(after: number, limit = 500): StoredEvent[] {
    return this.sql
      .exec<{ seq: number; run_id: string; event: string; data: string }>(
        "SELECT seq, run_id, event, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        after,
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, runId: r.run_id, event: r.event, data: r.data }));
  }

  /**
   * The events after the cursor (of one run, or all), at most `limit` of them and, past the first,
   * at most `maxChars` of data: a page's memory is bounded whatever the events' sizes.
   */
  eventsPage(after: number, limit: number, maxChars: number, runId?: string): StoredEvent[] {
    const where = runId ? "run_id = ? AND seq > ?" : "seq > ?";
    const args: SqlStorageValue[] = runId ? [runId, after] : [after];
    const sizes = this.sql
      .exec<{ seq: number; n: number }>(
        `SELECT seq, length(data) AS n FROM events WHERE ${where} ORDER BY seq LIMIT ?`,
        ...args,
        limit,
      )
      .toArray();
    if (sizes.length === 0) return [];
    let take = 0;
    for (let total = 0; take < sizes.length; take++) {
      total += sizes[take]!.n;
      if (take > 0 && total > maxChars) break;
    }
    const last = sizes[Math.max(0, take - 1)]!.seq;
    return this.sql
      .exec<{ seq: number; run_id: string; event: string; data: string }>(
        `SELECT seq, run_id, event, data FROM events WHERE ${where} AND seq <= ? ORDER BY seq`,
        ...args,
        last,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, runId: r.run_id, event: r.event, data: r.data }));
  }

  /** Without a cursor a reader starts at the current (or last) run's first event. */
  defaultCursor(): number {
    const active = this.activeRun();
    const run = active?.firstSeq != null ? active : this.latestRun();
    return run?.firstSeq != null ? run.firstSeq - 1 : this.lastSeq();
  }

  /** A run that has started, or a deployment, is in progress: readers keep following. */
  inProgress(): boolean {
    const active = this.activeRun();
    return (active !== null && active.status !== "pending") || this.getMeta("deploying") === "1";
  }

  // --- runs ---------------------------------------------------------------------------------
  insertRun(run: Pick<RunRow, "id" | "traceId" | "userId" | "ownerIsEmployee" | "startedAt">): void {
    this.sql.exec(
      "INSERT INTO runs (id, trace_id, status, user_id, owner_is_employee, started_at) VALUES (?, ?, 'pending', ?, ?, ?)",
      run.id,
      run.traceId,
      run.userId,
      run.ownerIsEmployee ? 1 : 0,
      run.startedAt,
    );
  }

  getRun(id: string): RunRow | null {
    const r = this.sql
      .exec<Record<string, SqlStorageValue>>("SELECT * FROM runs WHERE id = ?", id)
      .toArray()[0];
    return r ? toRun(r) : null;
  }

  /** The run holding the lock (pending, running or publishing), if any. */
  activeRun(): RunRow | null {
    const r = this.sql
      .exec<Record<string, SqlStorageValue>>(
        "SELECT * FROM runs WHERE status != 'done' ORDER BY started_at DESC LIMIT 1",
      )
      .toArray()[0];
    return r ? toRun(r) : null;
  }

  latestRun(): RunRow | null {
    const r = this.sql
      .exec<Record<string, SqlStorageValue>>(
        "SELECT * FROM runs WHERE first_seq IS NOT NULL ORDER BY first_seq DESC LIMIT 1",
      )
      .toArray()[0];
    return r ? toRun(r) : null;
  }

  runForVersion(version: number): RunRow | null {
    const r = this.sql
      .exec<Record<string, SqlStorageValue>>("SELECT * FROM runs WHERE version = ? LIMIT 1", version)
      .toArray()[0];
    return r ? toRun(r) : null;
  }

  updateRun(
    id: string,
    fields: Partial<Pick<RunRow, "status" | "countedDay" | "endedAt" | "lastByteAt" | "version">>,
  ): void {
    const cols: Record<string, string> = {
      status: "status",
      countedDay: "counted_day",
      endedAt: "ended_at",
      lastByteAt: "last_byte_at",
      version: "version",
    };
    const sets: string[] = [];
    const values: SqlStorageValue[] = [];
    for (const [k, v] of Object.entries(fields)) {
      sets.push(`${cols[k]} = ?`);
      values.push(v as SqlStorageValue);
    }
    if (sets.length) this.sql.exec(`UPDATE runs SET ${sets.join(", ")} WHERE id = ?`, ...values, id);
  }

  deleteRun(id: string): void {
    this.sql.exec("DELETE FROM runs WHERE id = ? AND first_seq IS NULL", id);
  }

  // --- large texts (agent state) ------------------------------------------------------------
  putText(name: string, text: string | null): void {
    this.sql.exec("DELETE FROM texts WHERE name = ?", name);
    if (text === null) return;
    chunks(text).forEach((c, i) => {
      this.sql.exec("INSERT INTO texts (name, chunk, data) VALUES (?, ?, ?)", name, i, c);
    });
  }

  getText(name: string): string | null {
    const rows = this.sql
      .exec<{ data: string }>("SELECT data FROM texts WHERE name = ? ORDER BY chunk", name)
      .toArray();
    return rows.length ? rows.map((r) => r.data).join("") : null;
  }

  // --- file tree ----------------------------------------------------------------------------
  readTree(): Tree {
    const tree: Tree = new Map();
    const parts = new Map<string, string[]>();
    for (const r of this.sql
      .exec<{ path: string; mode: string; data: string }>(
        "SELECT path, mode, data FROM files ORDER BY path, chunk",
      )
      .toArray()) {
      const list = parts.get(r.path);
      if (list) list.push(r.data);
      else {
        parts.set(r.path, [r.data]);
        tree.set(r.path, { content: "", mode: r.mode as FileMode });
      }
    }
    for (const [path, list] of parts) tree.get(path)!.content = list.join("");
    return tree;
  }

  hasTree(): boolean {
    return this.sql.exec("SELECT 1 FROM files LIMIT 1").toArray().length > 0;
  }

  replaceTree(tree: Tree): void {
    this.sql.exec("DELETE FROM files");
    for (const [path, f] of tree) {
      chunks(f.content).forEach((c, i) => {
        this.sql.exec("INSERT INTO files (path, chunk, mode, data) VALUES (?, ?, ?, ?)", path, i, f.mode, c);
      });
    }
  }

  // --- conversation sent to the agent ---------------------------------------------------------
  appendConversation(entry: unknown): void {
    this.sql.exec("INSERT INTO conversation (entry) VALUES (?)", JSON.stringify(entry));
  }

  conversation(): unknown[] {
    return this.sql
      .exec<{ entry: string }>("SELECT entry FROM conversation ORDER BY idx")
      .toArray()
      .map((r) => JSON.parse(r.entry));
  }

  // --- history -----------------------------------------------------------------------------
  // History rows are derived from the event log when they are flushed; only user messages, which
  // are not events, wait in `user_rows`, each placed after the last event logged before it.

  queueUserRow(row: unknown): void {
    this.sql.exec(
      "INSERT INTO user_rows (after_seq, row) VALUES (?, ?)",
      this.lastSeq(),
      JSON.stringify(row),
    );
  }

  userRows(): { id: number; afterSeq: number; row: string }[] {
    return this.sql
      .exec<{ id: number; after_seq: number; row: string }>(
        "SELECT id, after_seq, row FROM user_rows ORDER BY id",
      )
      .toArray()
      .map((r) => ({ id: r.id, afterSeq: r.after_seq, row: r.row }));
  }

  /** Records a flush: events up to `eventSeq` and the given user rows are in Postgres. */
  ackHistory(eventSeq: number, userRowIds: number[], historySeq: number): void {
    this.setMeta("history_event_seq", String(eventSeq));
    this.setMeta("history_seq", String(historySeq));
    for (const id of userRowIds) this.sql.exec("DELETE FROM user_rows WHERE id = ?", id);
  }

  historyCursor(): { eventSeq: number; historySeq: number } {
    return {
      eventSeq: Number(this.getMeta("history_event_seq") ?? "0"),
      historySeq: Number(this.getMeta("history_seq") ?? "0"),
    };
  }

  hasPendingHistory(): boolean {
    return (
      this.historyCursor().eventSeq < this.lastSeq() ||
      this.sql.exec("SELECT 1 FROM user_rows LIMIT 1").toArray().length > 0
    );
  }
}

function toRun(r: Record<string, SqlStorageValue>): RunRow {
  return {
    id: r.id as string,
    traceId: r.trace_id as string,
    status: r.status as RunStatus,
    userId: r.user_id as string,
    ownerIsEmployee: r.owner_is_employee === 1,
    firstSeq: (r.first_seq as number | null) ?? null,
    countedDay: (r.counted_day as string | null) ?? null,
    startedAt: r.started_at as number,
    endedAt: (r.ended_at as number | null) ?? null,
    lastByteAt: (r.last_byte_at as number | null) ?? null,
    version: (r.version as number | null) ?? null,
  };
}
