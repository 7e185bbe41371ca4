// Every API exchange the GitHub stand-in serves, kept so a test can judge both sides of it against
// GitHub's own OpenAPI description: GET /__dev/exchanges reads them, DELETE forgets them.
import { send } from "./http.mjs";

const MAX_EXCHANGES = 2000;

const parse = (raw) => {
  if (raw === undefined || raw === null || raw.length === 0) return null;
  const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : String(raw);
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text.slice(0, 200) };
  }
};

/** Records each exchange (request and answer) in `exchanges`: a `before` hook of guardRoutes. */
export function recordExchange(exchanges) {
  return ({ req, res, url, body }) => {
    const entry = {
      method: req.method,
      path: url.pathname,
      query: [...url.searchParams],
      requestContentType: req.headers["content-type"] ?? null,
      requestBody: parse(body),
      status: 0,
      responseContentType: null,
      responseBody: null,
    };
    const writeHead = res.writeHead.bind(res);
    const end = res.end.bind(res);
    res.writeHead = (status, ...rest) => {
      entry.status = status;
      const headers = rest.find((r) => r && typeof r === "object") ?? {};
      entry.responseContentType = headers["content-type"] ?? res.getHeader("content-type") ?? null;
      return writeHead(status, ...rest);
    };
    res.end = (chunk, ...rest) => {
      entry.status ||= res.statusCode;
      entry.responseBody = typeof chunk === "function" ? null : parse(chunk);
      exchanges.push(entry);
      if (exchanges.length > MAX_EXCHANGES) exchanges.shift();
      return end(chunk, ...rest);
    };
  };
}

export function exchangeRoutes(exchanges) {
  return [
    ["GET", "/__dev/exchanges", ({ res }) => send(res, 200, { exchanges })],
    [
      "DELETE",
      "/__dev/exchanges",
      ({ res }) => {
        exchanges.length = 0;
        send(res, 204);
      },
    ],
  ];
}
