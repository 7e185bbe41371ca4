// Local stand-in for Neon's proxy in front of a local Postgres, so the @neondatabase/serverless
// driver inside workerd reaches it exactly as it reaches Neon: the WebSocket path
// (ws://host:port/v2?address=db:5432 → TCP) and the SQL-over-HTTP path (POST /sql, dev/neon-http.mjs).
// `rttMs` (or setRtt) adds a round-trip time between the Worker and the database, as a user far
// from the database's region sees it: half of it each way on every WebSocket message, three
// round trips before a WebSocket opens (TCP, TLS, the upgrade), one per HTTP query (the
// connection to the proxy stays warm).
import http from "node:http";
import net from "node:net";
import { WebSocketServer } from "ws";
import { neonHttpHandler } from "./neon-http.mjs";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Follows the frontend half of the Postgres wire protocol across arbitrary chunk boundaries and
 * reports each typed message ('Q' simple query, 'S' sync, 'P' parse, …). The first message of a
 * connection has no type byte (startup, or an SSL/GSS request followed by the startup).
 */
function frontendMessages(onMessage) {
  let untyped = true;
  let skip = 0;
  let head = Buffer.alloc(0);
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const need = untyped ? 8 : 5;
      const take = Math.min(need - head.length, chunk.length - i);
      head = Buffer.concat([head, chunk.subarray(i, i + take)]);
      i += take;
      if (head.length < need) return;
      if (untyped) {
        const code = head.readInt32BE(4);
        skip = head.readInt32BE(0) - 8;
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) untyped = false;
      } else {
        skip = head.readInt32BE(1) - 4;
        onMessage(String.fromCharCode(head[0]));
      }
      head = Buffer.alloc(0);
    }
  };
}

/**
 * `countMessages: true` parses what clients send so `stats()` can report database round trips
 * (one per simple Query or extended-protocol Sync); connections are always counted.
 */
export function startPgWsProxy({ port = 0, allow, countMessages = false, rttMs = 0 }) {
  const allowed = new Set(allow);
  const counts = { connections: 0, messages: {}, requests: 0, sessions: 0 };
  let rtt = rttMs;
  const wait = (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
  /** Runs `fn` after half the RTT; calls keep their order (equal delays fire in order). */
  const oneWay = (fn) => (rtt > 0 ? setTimeout(fn, rtt / 2) : fn());
  const sql = neonHttpHandler({ allowed, counts, delay: () => wait(rtt) });
  const server = http.createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname === "/sql") sql.handle(req, res);
    else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  // Keep idle HTTP connections open longer than the Worker's runtime keeps them pooled, so it never
  // reuses one this side has just closed (a lost connection, seen as a failed query).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  const wss = new WebSocketServer({
    server,
    verifyClient: (_info, done) => (rtt > 0 ? setTimeout(() => done(true), 3 * rtt) : done(true)),
  });
  wss.on("connection", (ws, req) => {
    counts.connections++;
    const observe = countMessages
      ? frontendMessages((type) => {
          counts.messages[type] = (counts.messages[type] ?? 0) + 1;
        })
      : null;
    const address = new URL(req.url ?? "/", "http://x").searchParams.get("address") ?? "";
    if (!allowed.has(address)) {
      ws.close(1008, `address not allowed: ${address}`);
      return;
    }
    const [host, p] = address.split(":");
    const sock = net.connect({ host: host === "localhost" ? "127.0.0.1" : host, port: Number(p) });
    sock.setNoDelay(true);
    const pending = [];
    sock.on("connect", () => {
      for (const b of pending) sock.write(b);
      pending.length = 0;
    });
    ws.on("message", (data) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
      observe?.(buf);
      oneWay(() => {
        if (sock.connecting) pending.push(buf);
        else if (!sock.destroyed) sock.write(buf);
      });
    });
    sock.on("data", (chunk) => {
      oneWay(() => {
        if (ws.readyState === ws.OPEN) ws.send(chunk);
      });
    });
    const done = () => {
      sock.destroy();
      if (ws.readyState <= ws.OPEN) ws.close();
    };
    ws.on("close", done);
    ws.on("error", done);
    sock.on("close", done);
    sock.on("error", done);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        /**
         * WebSocket connections, HTTP queries (/sql requests) and Postgres sessions the HTTP path
         * opened; roundTrips = WebSocket Query + Sync messages + HTTP queries.
         */
        stats: () => ({
          connections: counts.connections,
          httpQueries: counts.requests,
          httpSessions: counts.sessions,
          roundTrips: (counts.messages.Q ?? 0) + (counts.messages.S ?? 0) + counts.requests,
          messages: { ...counts.messages },
        }),
        resetStats: () => {
          counts.connections = 0;
          counts.messages = {};
          counts.requests = 0;
          counts.sessions = 0;
        },
        /** The added round-trip time in ms (0: none). */
        setRtt: (ms) => {
          rtt = ms;
        },
        close: () =>
          new Promise((r) => {
            for (const c of wss.clients) c.terminate();
            wss.close();
            server.closeAllConnections?.();
            server.close(() => sql.close().then(() => r()));
          }),
      }),
    );
  });
}
