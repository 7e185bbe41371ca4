/**
 * The SQLSTATE of a Postgres error, looked for on the error and its causes (drizzle wraps the
 * driver's error in `cause`); null when there is none (a network failure, a timeout).
 */
export function sqlState(err: unknown): string | null {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
