import { SELF } from "cloudflare:test";

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls the real Worker in workerd, as a client would. */
export function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return SELF.fetch(`https://api.test${path}`, { method, headers, body });
}

export async function callJson<T = unknown>(method: string, path: string, opts: CallOptions = {}) {
  const res = await call(method, path, opts);
  const text = await res.text();
  return { res, status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export function expectProblem(
  r: { res: Response; status: number; body: unknown },
  status: number,
  code: string,
): void {
  const b = r.body as { status?: number; code?: string; requestId?: string };
  if (r.status !== status || b?.code !== code || b?.status !== status || !b.requestId) {
    throw new Error(`expected problem ${status} ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
  }
  if (!r.res.headers.get("content-type")?.startsWith("application/problem+json")) {
    throw new Error(`expected application/problem+json, got ${r.res.headers.get("content-type")}`);
  }
}
