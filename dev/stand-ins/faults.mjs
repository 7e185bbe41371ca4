// Fault injection shared by the deploy stand-ins: `POST /__dev/fail { match, status, times }` makes
// the next `times` requests whose key contains `match` fail with `status` (e.g. a 503 twice, then
// the real answer). The key is "METHOD /path" plus the query string (REST stand-ins) or the
// operation name (AWS JSON services); an optional `bodyMatch` narrows a rule to requests whose body
// contains it (one test's resource).
// `delayMs` holds a matching request that long first; with `status` 0 it then gets the real answer
// (a slow service, not a failing one), for the stand-ins that honour it (S3).
import { json, send } from "./http.mjs";

export function createFaults() {
  let rules = [];
  return {
    /** The rule that fires for this request key (and uses one of its shots), or null. */
    take(key, body = "") {
      const text = Buffer.isBuffer(body) ? body.toString("utf8") : String(body);
      const rule = rules.find(
        (r) => r.times > 0 && key.includes(r.match) && (!r.bodyMatch || text.includes(r.bodyMatch)),
      );
      if (!rule) return null;
      rule.times -= 1;
      rules = rules.filter((r) => r.times > 0);
      return rule;
    },
    list: () => rules.map((r) => ({ ...r })),
    routes() {
      return [
        [
          "POST",
          "/__dev/fail",
          ({ res, body }) => {
            const b = json(body);
            if (!b || typeof b !== "object" || typeof b.match !== "string" || !Number.isInteger(b.status)) {
              return send(res, 400, {
                message: "body must be { match: string, status: integer, times?, delayMs? }",
              });
            }
            const rule = {
              match: b.match,
              status: b.status,
              times: Number.isInteger(b.times) ? b.times : 1,
              ...(typeof b.bodyMatch === "string" ? { bodyMatch: b.bodyMatch } : {}),
              ...(Number.isInteger(b.delayMs) && b.delayMs > 0
                ? { delayMs: Math.min(b.delayMs, 60_000) }
                : {}),
              // The error text the service answers with (a vendor's message can name accounts, ARNs).
              ...(typeof b.message === "string" ? { message: b.message } : {}),
            };
            rules.push(rule);
            send(res, 200, { rules: rules.map((r) => ({ ...r })) });
          },
        ],
        [
          "DELETE",
          "/__dev/fail",
          ({ res }) => {
            rules = [];
            send(res, 204, null);
          },
        ],
      ];
    },
  };
}

/**
 * Wraps a stand-in's API routes the way the vendor guards its API: a request without the right
 * credential gets the vendor's 401 (`unauthorized`), then a fault rule that matches
 * "METHOD /path?query" answers instead of the route (`failed`). `before` sees every request first (a
 * recorder). Control routes under /__dev/ are left out of it by the caller and stay open.
 */
export function guardRoutes(routes, { faults, authorized, unauthorized, failed, before }) {
  return routes.map(([method, pattern, handler]) => [
    method,
    pattern,
    (ctx) => {
      before?.(ctx);
      if (!authorized(ctx)) return unauthorized(ctx);
      // The query string is part of the key, so a rule can name one resource of a GET.
      const fault = faults.take(`${ctx.req.method} ${ctx.url.pathname}${ctx.url.search}`, ctx.body);
      if (fault) return failed(ctx, fault);
      return handler(ctx);
    },
  ]);
}
