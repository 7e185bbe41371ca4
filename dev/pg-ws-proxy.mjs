// Local stand-in for Neon's WebSocket proxy: ws://host:port/v2?address=db:5432 → TCP, so the
// @neondatabase/serverless driver inside workerd reaches a local Postgres exactly as it reaches Neon.
import net from "node:net";
import { WebSocketServer } from "ws";

export function startPgWsProxy({ port = 0, allow }) {
  const allowed = new Set(allow);
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  wss.on("connection", (ws, req) => {
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
        close: () =>
          new Promise((r) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => r());
          }),
      }),
    );
  });
}
