// Local stand-in for Neon's SQL-over-HTTP endpoint (POST /sql), served by the local Neon proxy
// (dev/pg-ws-proxy.mjs) in front of a local Postgres, so `neon()` from @neondatabase/serverless
// reaches it exactly as it reaches Neon. The protocol, as the driver speaks it:
//   request  headers Neon-Connection-String (required), Neon-Raw-Text-Output, Neon-Array-Mode,
//            Neon-Batch-Isolation-Level / -Read-Only / -Deferrable (batches only);
//            body {query, params} or {queries: [{query, params}, …]} (a batch: one transaction)
//   response 200 {command, rowCount, rows, fields: [{name, dataTypeID, …}], rowAsArray}
//            or {results: [that, …]}; values as Postgres's text (null stays null)
//            400 {message, code (SQLSTATE), severity, detail, hint, position, …} on a database error
// Connections to Postgres are pooled per connection string, as Neon's proxy pools them.
import pg from "pg";

const MAX_BODY = 10 * 1024 * 1024;
const WARM_SESSIONS = 8;
const ISOLATION = {
  Serializable: "serializable",
  RepeatableRead: "repeatable read",
  ReadCommitted: "read committed",
  ReadUncommitted: "read uncommitted",
};
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
];
/** Every value as Postgres's text: the driver parses them itself (Neon-Raw-Text-Output). */
const RAW = { getTypeParser: () => (v) => v };

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, "request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseQuery(q) {
  if (!q || typeof q.query !== "string") throw new HttpError(400, "each query needs a `query` string");
  const params = q.params ?? [];
  if (!Array.isArray(params)) throw new HttpError(400, "`params` must be an array");
  for (const p of params) {
    if (p !== null && typeof p !== "string" && typeof p !== "number" && typeof p !== "boolean") {
      throw new HttpError(400, "params must be strings, numbers, booleans or null");
    }
  }
  return { text: q.query, values: params.map((p) => (p === null ? null : String(p))) };
}

function result(r, arrayMode) {
  const fields = r.fields.map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: "text",
  }));
  const rows = arrayMode
    ? r.rows
    : r.rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, row[i]])));
  return { command: r.command, rowCount: r.rowCount, rows, fields, rowAsArray: arrayMode };
}

function dbError(err) {
  const body = { message: err.message };
  for (const k of ERROR_FIELDS) if (err[k] !== undefined) body[k] = err[k];
  return body;
}

/**
 * The /sql handler. `allowed` is the set of host:port the connection strings may name;
 * `onQuery()` is called once per HTTP request (a database round trip), `delay()` before answering.
 */
export function neonHttpHandler({ allowed, delay = async () => {}, counts }) {
  const pools = new Map();
  function poolFor(connectionString) {
    let url;
    try {
      url = new URL(connectionString);
    } catch {
      throw new HttpError(400, "Neon-Connection-String is not a valid URL");
    }
    if (!["postgres:", "postgresql:"].includes(url.protocol) || !url.username || url.pathname.length < 2) {
      throw new HttpError(400, "Neon-Connection-String needs a postgres:// URL with user and database");
    }
    const address = `${url.hostname}:${url.port || "5432"}`;
    if (!allowed.has(address)) throw new HttpError(400, `address not allowed: ${address}`);
    const key = `${url.username}:${url.password}@${address}${url.pathname}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = new pg.Pool({
        host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: decodeURIComponent(url.pathname.slice(1)),
        max: 20,
        // Sessions stay open and a few are opened at once, as behind Neon's pooler: a burst of
        // queries does not pay Postgres start-ups (SCRAM) one by one.
        idleTimeoutMillis: 0,
      });
      for (let i = 0; i < WARM_SESSIONS; i++) {
        pool.connect().then(
          (c) => c.release(),
          () => {},
        );
      }
      pool.on("connect", () => {
        counts.sessions++;
      });
      pool.on("error", () => {});
      pools.set(key, pool);
    }
    return pool;
  }

  const run = (client, q) => client.query({ ...q, rowMode: "array", types: RAW, queryMode: "extended" });

  async function handle(req, res) {
    const send = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    try {
      if (req.method !== "POST") throw new HttpError(405, "use POST");
      const connectionString = req.headers["neon-connection-string"];
      if (!connectionString) throw new HttpError(400, "missing Neon-Connection-String header");
      const arrayMode = req.headers["neon-array-mode"] === "true";
      let body;
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, "request body is not JSON");
      }
      const pool = poolFor(connectionString);
      counts.requests++;
      await delay();
      if (Array.isArray(body?.queries)) {
        const queries = body.queries.map(parseQuery);
        const level = req.headers["neon-batch-isolation-level"];
        if (level !== undefined && !ISOLATION[level])
          throw new HttpError(400, `unknown isolation level ${level}`);
        const mode = [
          level ? `isolation level ${ISOLATION[level]}` : "",
          req.headers["neon-batch-read-only"] === "true" ? "read only" : "",
          req.headers["neon-batch-deferrable"] === "true" ? "deferrable" : "",
        ]
          .filter(Boolean)
          .join(" ");
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query(`begin ${mode}`);
          const results = [];
          try {
            for (const q of queries) results.push(result(await run(client, q), arrayMode));
            await client.query("commit");
          } catch (err) {
            await client.query("rollback").catch(() => {
              broken = true;
            });
            throw err;
          }
          send(200, { results });
        } finally {
          client.release(broken);
        }
      } else {
        send(200, result(await run(pool, parseQuery(body)), arrayMode));
      }
    } catch (err) {
      if (err instanceof HttpError) send(err.status, { message: err.message });
      else if (err?.code && typeof err.code === "string" && err.severity) send(400, dbError(err));
      else send(500, { message: `database unreachable: ${err?.message ?? err}` });
    }
  }

  return {
    handle,
    close: async () => {
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})));
      pools.clear();
    },
  };
}
