import { sqlState } from "../../db/errors";

/**
 * Text that Postgres cannot hold: `text` refuses U+0000, `jsonb` refuses `\u0000` and unpaired
 * surrogates. The event log keeps the agent's text exactly; what goes to Postgres carries U+FFFD
 * in their place (docs/decisions.md, Round 3).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function pgText(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}

export function pgTextOrNull(s: string | null): string | null {
  return s === null ? null : pgText(s);
}

/** The same value with every string (keys included) made storable. */
export function pgJson(value: unknown): unknown {
  if (typeof value === "string") return pgText(value);
  if (Array.isArray(value)) return value.map(pgJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[pgText(k)] = pgJson(v);
    return out;
  }
  return value;
}

/**
 * True when Postgres refused the statement for what it holds (SQLSTATE class 22 data exception,
 * 23 integrity violation, 54 program limit): repeating it can never succeed. Connection failures
 * and timeouts are not data errors; they are retried.
 */
export function isDataError(err: unknown): boolean {
  return /^(22|23|54)/.test(sqlState(err) ?? "");
}
