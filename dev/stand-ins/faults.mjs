// Fault injection shared by the stand-ins (GitHub has richer rules of its own): `POST /__dev/fail
// { match, status, times }` makes the next `times` requests whose key contains `match` fail with
// `status` (e.g. a 503 twice, then the real answer). The key is "METHOD /path", plus the query
// string (Koyeb, Neon) or the operation name (AWS JSON services); an optional `bodyMatch` narrows a
// rule to requests whose body contains it (one test's resource).
// `delayMs` holds a matching request that long first; with `status` 0 it then gets the real answer
// (a slow service, not a failing one), for the stand-ins that honour it (S3).
// `guardRoutes` puts these rules, and the vendor's own refusals (its credential check), in front of
// a stand-in's API routes.
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

/** The default fault key: "METHOD /path?query" (the query, so a rule can name one resource of a GET). */
const requestKey = (ctx) => `${ctx.req.method} ${ctx.url.pathname}${ctx.url.search}`;

/**
 * Wraps a stand-in's API routes the way the vendor guards its API. Each request, in this order:
 * - `before(ctx)` sees it first (a recorder);
 * - `refuse(ctx)` names what the vendor refuses it for before serving it (a credential it does not
 *   accept; for some vendors also a request it cannot route), or nothing when it passes;
 *   `refused(ctx, refusal)` answers that in the vendor's shape;
 * - a fault rule (of `faults`) whose `match` is in the request's `key(ctx)` (by default
 *   "METHOD /path?query") and whose `bodyMatch` is in its body answers instead of the route:
 *   `failed(ctx, rule, handler)` answers it, or lets the route answer by calling `handler(ctx)`.
 *   With `delays`, a rule's `delayMs` holds the request that long first (a slow service).
 *   With `faultsFirst`, faults come before `refuse` (an outage answers whoever calls).
 * Control routes under /__dev/ are left out of it by the caller and stay open.
 */
export function guardRoutes(
  routes,
  { faults, key = requestKey, before, refuse, refused, failed, delays = false, faultsFirst = false },
) {
  // Each check answers the request (and says so) or lets it go on.
  const refusal = async (ctx) => {
    const no = await refuse?.(ctx);
    if (!no) return false;
    await refused(ctx, no);
    return true;
  };
  const fault = async (ctx, handler) => {
    const rule = faults?.take(key(ctx), ctx.body);
    if (!rule) return false;
    if (delays && rule.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
    await failed(ctx, rule, handler);
    return true;
  };
  const checks = faultsFirst ? [fault, refusal] : [refusal, fault];
  return routes.map(([method, pattern, handler]) => [
    method,
    pattern,
    async (ctx) => {
      before?.(ctx);
      for (const check of checks) if (await check(ctx, handler)) return;
      return handler(ctx);
    },
  ]);
}
