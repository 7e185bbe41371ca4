// Local stand-in for Neon's WebSocket proxy: ws://host:port/v2?address=db:5432 → TCP, so the
// @neondatabase/serverless driver inside workerd reaches a local Postgres exactly as it reaches Neon.
import net from "node:net";
import { WebSocketServer } from "ws";

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
export function startPgWsProxy({ port = 0, allow, countMessages = false }) {
  const allowed = new Set(allow);
  const counts = { connections: 0, messages: {} };
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
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
      if (sock.connecting) pending.push(buf);
      else sock.write(buf);
    });
    sock.on("data", (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
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
    wss.once("error", reject);
    wss.on("listening", () =>
      resolve({
        port: wss.address().port,
        /** Connections and client messages so far; roundTrips = Query + Sync messages. */
        stats: () => ({
          connections: counts.connections,
          roundTrips: (counts.messages.Q ?? 0) + (counts.messages.S ?? 0),
          messages: { ...counts.messages },
        }),
        resetStats: () => {
          counts.connections = 0;
          counts.messages = {};
        },
        close: () =>
          new Promise((r) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => r());
          }),
      }),
    );
  });
}
