// Small HTTP toolkit shared by the stand-ins: routing, bodies, JSON answers.
import http from "node:http";

export async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

export function send(res, status, body, headers = {}) {
  if (res.headersSent) return;
  if (body === undefined || body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  if (Buffer.isBuffer(body) || typeof body === "string") {
    res.writeHead(status, headers);
    res.end(body);
    return;
  }
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

const MAX_LOG = 5000;

/**
 * A tiny router: routes are [method, pattern, handler]; patterns use `:name` segments and a
 * trailing `*rest` for the remainder. Handlers get ({ req, res, params, url, body }).
 */
export function createServer(name, routes, { onRequest } = {}) {
  const compiled = routes.map(([method, pattern, handler]) => {
    const keys = [];
    const rx = pattern
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          keys.push(seg.slice(1));
          return "([^/]+)";
        }
        if (seg.startsWith("*")) {
          keys.push(seg.slice(1));
          return "(.*)";
        }
        return seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    return { method, rx: new RegExp(`^${rx}$`), keys, handler };
  });
  // Requests served, per "METHOD /path" (control paths under /__dev/ left out), so a benchmark
  // or a test can count the calls the Worker makes: GET /__dev/stats reads, DELETE resets.
  const stats = new Map();
  // The latest requests in order, each with when it arrived and when its answer was sent (ms
  // since the epoch, performance clock), so a benchmark can place a step's calls in time:
  // GET /__dev/stats?log adds them.
  const log = [];
  // Gates: `POST /__dev/hold { match }` keeps every request whose "METHOD /path" contains `match`
  // waiting (counted in the stats on arrival, answered by nobody) until `POST /__dev/release
  // { match }` lets them through, so a test decides how long a call stays in flight.
  const gates = new Map();
  const server = http.createServer(async (req, res) => {
    const arrivedAt = performance.timeOrigin + performance.now();
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
      const body = await readBody(req);
      if (url.pathname === "/__dev/stats" && (req.method === "GET" || req.method === "DELETE")) {
        if (req.method === "DELETE") {
          stats.clear();
          log.length = 0;
        }
        const requests = Object.fromEntries(stats);
        const total = [...stats.values()].reduce((a, b) => a + b, 0);
        return send(
          res,
          req.method === "GET" ? 200 : 204,
          req.method === "GET"
            ? { name, total, requests, ...(url.searchParams.has("log") ? { log } : {}) }
            : null,
        );
      }
      if (req.method === "POST" && (url.pathname === "/__dev/hold" || url.pathname === "/__dev/release")) {
        const match = json(body)?.match;
        if (typeof match !== "string" || !match)
          return send(res, 400, { message: "body must be { match: string }" });
        if (url.pathname === "/__dev/hold") {
          if (!gates.has(match)) gates.set(match, []);
          return send(res, 200, { holding: [...gates.keys()] });
        }
        const waiting = gates.get(match) ?? [];
        gates.delete(match);
        for (const go of waiting) go();
        return send(res, 200, { released: waiting.length });
      }
      if (!url.pathname.startsWith("/__dev/")) {
        const key = `${req.method} ${url.pathname}`;
        stats.set(key, (stats.get(key) ?? 0) + 1);
        const entry = { key, at: arrivedAt, doneAt: null };
        log.push(entry);
        if (log.length > MAX_LOG) log.shift();
        res.once("finish", () => {
          entry.doneAt = performance.timeOrigin + performance.now();
        });
        const gate = [...gates].find(([match]) => key.includes(match));
        if (gate) await new Promise((go) => gate[1].push(go));
      }
      onRequest?.({ req, url, body });
      for (const r of compiled) {
        if (r.method !== "*" && r.method !== req.method) continue;
        const m = r.rx.exec(url.pathname);
        if (!m) continue;
        const params = {};
        r.keys.forEach((k, i) => {
          params[k] = decodeURIComponent(m[i + 1]);
        });
        await r.handler({ req, res, params, url, body });
        return;
      }
      send(res, 404, { message: "Not Found", stand_in: name });
    } catch (err) {
      console.error(`[${name}] handler error`, err);
      send(res, 500, { message: String(err?.message ?? err) });
    }
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

export function listen(server, port, host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: addr.port,
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

export function json(body) {
  try {
    return body.length ? JSON.parse(body.toString("utf8")) : undefined;
  } catch {
    return Symbol.for("invalid-json");
  }
}
export const INVALID_JSON = Symbol.for("invalid-json");
