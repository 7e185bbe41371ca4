import {
  type CallArgs,
  type CallResult,
  fillPath,
  type HttpMethod,
  type Operation,
  type PathsFor,
  queryString,
} from "./calls.js";
import { apiError } from "./errors.js";
import type { components } from "./openapi.js";
import {
  type Connection,
  type EventStream,
  type ReconnectOptions,
  resumingStream,
  type Transport,
} from "./stream.js";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** The API's origin, with a path prefix if it has one: `https://api.example.com`. */
  baseUrl: string;
  /** The Stack Auth access token, asked before every request (so a refreshed one is used). */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** How `sendMessage` and `followEvents` reconnect. */
  reconnect?: ReconnectOptions;
}

export type MessageRequest = components["schemas"]["MessageRequest"];

export interface SendMessageOptions {
  /**
   * Default: a new random key for this send, used again by every retry of it, so the server
   * never starts a second run for it (and never counts it twice against the daily limit).
   */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface FollowEventsOptions {
  /** Replay the log after this event id (0: the whole log). Default: the current or last run. */
  after?: number;
  signal?: AbortSignal;
}

/** The events of one message's run, ending with its `done`. */
export interface MessageStream extends EventStream {
  readonly idempotencyKey: string;
}

type Call<M extends HttpMethod> = <P extends PathsFor<M>>(
  path: P,
  ...args: CallArgs<Operation<P, M>>
) => Promise<CallResult<Operation<P, M>>>;

export interface Client {
  /**
   * `GET path`: a 2xx answer's status, body (JSON parsed, text as a string) and headers; any
   * other answer throws an `ApiError`.
   */
  get: Call<"get">;
  post: Call<"post">;
  put: Call<"put">;
  delete: Call<"delete">;
  /**
   * `POST /message`: the run's events, to its `done`. A dropped connection is resumed by itself,
   * from the last event received (`GET /apps/{id}/events` with `Last-Event-ID`), or, before any
   * event came, by sending again with the same `Idempotency-Key`. A problem before the stream
   * opens (404, 409 `run_in_progress`, 429, …) is thrown by the first `next()` as an `ApiError`.
   */
  sendMessage(body: MessageRequest, options?: SendMessageOptions): MessageStream;
  /**
   * `POST /apps/{id}/versions/{version}/restore`: the restore's events, to its `done`, resumed
   * and retried exactly like `sendMessage` (one Idempotency-Key for every attempt).
   */
  restoreVersion(appId: string, version: number, options?: SendMessageOptions): MessageStream;
  /**
   * `GET /apps/{id}/events`: replays the log, then follows it live while a run or a deployment
   * of the app is in progress. When the server closes the stream the client asks again from its
   * last event; the 204 that answers when nothing is in progress and nothing is left ends the
   * iteration.
   */
  followEvents(appId: string, options?: FollowEventsOptions): EventStream;
}

/** A random UUIDv4; `getRandomValues` works where `randomUUID` does not (pages over plain http). */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let hex = "";
  for (const x of b) hex += x.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface UntypedOptions {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function createClient(options: ClientOptions): Client {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));

  const auth = async (): Promise<Record<string, string>> => {
    const token = await options.getToken?.();
    return token ? { authorization: `Bearer ${token}` } : {};
  };

  function request(c: Connection, headers: Record<string, string>, signal: AbortSignal | undefined) {
    const h = new Headers({ ...c.headers, ...headers });
    if (c.body !== undefined) h.set("content-type", "application/json");
    return doFetch(base + c.path, { method: c.method, headers: h, body: c.body, signal });
  }

  const call = <M extends HttpMethod>(method: M): Call<M> =>
    (async (path: string, o: UntypedOptions = {}) => {
      const url = fillPath(path, o.path) + queryString(o.query);
      const body = o.body === undefined ? undefined : JSON.stringify(o.body);
      const headers = { accept: "application/json", ...o.headers };
      const res = await request(
        { method: method.toUpperCase(), path: url, headers, body },
        await auth(),
        o.signal,
      );
      if (!res.ok) throw await apiError(res);
      const text = await res.text();
      const json = /json/i.test(res.headers.get("content-type") ?? "");
      const data = text === "" ? undefined : json ? JSON.parse(text) : text;
      return { status: res.status, data, headers: res.headers };
    }) as unknown as Call<M>;

  const transport: Transport = {
    headers: auth,
    fetch: (c, headers, signal) => request(c, { accept: "text/event-stream", ...headers }, signal),
  };

  const eventsPath = (appId: string) => `/apps/${encodeURIComponent(appId)}/events`;

  /**
   * A run started by a POST (a message, a restore) to its `done`: one Idempotency-Key for every
   * attempt; after an event, resumed from the app's log; before any, the POST is sent again.
   */
  function runStream(path: string, body: string | undefined, opts: SendMessageOptions): MessageStream {
    const idempotencyKey = opts.idempotencyKey ?? newIdempotencyKey();
    const stream = resumingStream(
      {
        connect: ({ appId, lastEventId }): Connection =>
          appId === undefined || lastEventId === undefined
            ? { method: "POST", path, headers: { "idempotency-key": idempotencyKey }, body }
            : { method: "GET", path: eventsPath(appId), headers: { "last-event-id": String(lastEventId) } },
        isLast: (e) => e.event === "done",
      },
      transport,
      options.reconnect,
      opts.signal,
    );
    return Object.assign(stream, { idempotencyKey });
  }

  return {
    get: call("get"),
    post: call("post"),
    put: call("put"),
    delete: call("delete"),

    sendMessage(message, opts = {}) {
      // The same bytes on every retry: the server refuses a known key with another body.
      return runStream("/message", JSON.stringify(message), opts);
    },

    restoreVersion(appId, version, opts = {}) {
      const path = `/apps/${encodeURIComponent(appId)}/versions/${encodeURIComponent(String(version))}/restore`;
      return runStream(path, undefined, opts);
    },

    followEvents(appId, opts = {}) {
      return resumingStream(
        {
          connect: ({ lastEventId }): Connection =>
            lastEventId !== undefined
              ? { method: "GET", path: eventsPath(appId), headers: { "last-event-id": String(lastEventId) } }
              : { method: "GET", path: eventsPath(appId) + queryString({ after: opts.after }), headers: {} },
        },
        transport,
        options.reconnect,
        opts.signal,
      );
    },
  };
}
