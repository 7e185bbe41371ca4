import type { paths } from "./openapi.js";

// Types of the plain JSON calls, read from the generated `paths`: a route added to the Worker is
// callable, typed, once `npm run client:types` has run.

export type HttpMethod = "get" | "post" | "put" | "delete" | "patch";

type OperationOf<Item, M extends HttpMethod> = Item extends { [K in M]: infer O } ? O : never;

/** The operation at `path` for `method`. */
export type Operation<P extends keyof paths, M extends HttpMethod> = OperationOf<paths[P], M>;

/** Answers only an event stream (a route that also answers a page, like the logs, is callable). */
type IsEventStream<O> = O extends { responses: { 200: { content: infer C } } }
  ? "text/event-stream" extends keyof C
    ? [Exclude<keyof C, "text/event-stream">] extends [never]
      ? true
      : false
    : false
  : false;

/**
 * Paths with a `method` operation that answers JSON. The event streams are left out: they are
 * read with `sendMessage` and `followEvents`, which resume after a dropped connection.
 */
export type PathsFor<M extends HttpMethod> = {
  [P in keyof paths]: [OperationOf<paths[P], M>] extends [never]
    ? never
    : IsEventStream<OperationOf<paths[P], M>> extends true
      ? never
      : P;
}[keyof paths];

type Params<O> = O extends { parameters: infer X } ? X : Record<string, never>;
type PathParams<O> = Params<O> extends { path: infer X } ? X : never;
type QueryParams<O> = Params<O> extends { query?: infer X } ? Exclude<X, undefined> : never;

type PathOption<O> = [PathParams<O>] extends [never] ? { path?: undefined } : { path: PathParams<O> };
type QueryOption<O> = [QueryParams<O>] extends [never]
  ? { query?: undefined }
  : Record<string, never> extends QueryParams<O>
    ? { query?: QueryParams<O> }
    : { query: QueryParams<O> };
type BodyOption<O> = O extends { requestBody: { content: { "application/json": infer B } } }
  ? { body: B }
  : O extends { requestBody?: never }
    ? { body?: undefined }
    : O extends { requestBody?: { content: { "application/json": infer B } } }
      ? { body?: B }
      : { body?: undefined };

/** What a call takes: path parameters, query, JSON body as the operation declares them. */
export type CallOptions<O> = PathOption<O> &
  QueryOption<O> &
  BodyOption<O> & {
    /** Extra request headers (e.g. `x-request-id`). */
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

/** The options argument, optional when the operation needs nothing. */
export type CallArgs<O> =
  Record<string, never> extends CallOptions<O> ? [options?: CallOptions<O>] : [options: CallOptions<O>];

type Responses<O> = O extends { responses: infer R } ? R : never;
/** A JSON body parsed, a text one as a string, none undefined. */
type BodyOf<R> = R extends { content: { "application/json": infer T } }
  ? T
  : R extends { content: { "text/plain": infer T } }
    ? T
    : undefined;
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206;

/** A 2xx answer: one member per status the operation declares, so `status` narrows `data`. */
export type CallResult<O> = {
  [S in keyof Responses<O> & SuccessStatus]: { status: S; data: BodyOf<Responses<O>[S]>; headers: Headers };
}[keyof Responses<O> & SuccessStatus];

/** `/apps/{id}` with `{ id }` filled in, each value URL-encoded. */
export function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new TypeError(`missing path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
}

/** `?a=1&b=x` from an object; undefined values are left out. */
export function queryString(query: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
