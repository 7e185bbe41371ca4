import { type ApiError, apiError } from "./errors.js";
import { type AppEvent, StreamProtocolError, toAppEvent } from "./events.js";
import { createSseParser, type SseMessage } from "./sse.js";

/** How a stream reconnects after a dropped connection or a passing failure. */
export interface ReconnectOptions {
  /**
   * The first delay, doubled on each failure in a row. Default: the server's `retry:` (2000 ms
   * on this API), 1000 ms before it said.
   */
  initialDelayMs?: number;
  /** The cap of a delay. Default 30 s. */
  maxDelayMs?: number;
  /** Failures in a row (no event received in between) before the last one is thrown. Default 10. */
  maxAttempts?: number;
}

/** Where a stream stands: what the next connection resumes from. */
export interface StreamCursor {
  /** The app the events belong to, once the server named it (`x-app-id`). */
  appId: string | undefined;
  /** The id of the last event delivered: the next connection's `Last-Event-ID`. */
  lastEventId: number | undefined;
}

export interface Connection {
  method: string;
  /** Path and query, e.g. `/apps/<id>/events?after=0`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface StreamPlan {
  /** The request of the next connection. */
  connect(cursor: StreamCursor): Connection;
  /** The event after which the iteration ends (a run's `done`); none: it ends at 204. */
  isLast?(event: AppEvent): boolean;
}

export interface Transport {
  /** Headers every request carries (the token), asked anew per connection; its failure ends the stream. */
  headers(): Promise<Record<string, string>>;
  /** One request; its failure is a failed connection, tried again. */
  fetch(c: Connection, headers: Record<string, string>, signal: AbortSignal): Promise<Response>;
}

/** An async iterator of typed events that resumes by itself; see `createClient`. */
export interface EventStream extends AsyncIterableIterator<AppEvent>, Readonly<StreamCursor> {
  /** The headers of the first answer (on POST /message: `x-app-id` and the daily-limit headers). */
  readonly headers: Headers | undefined;
}

const DEFAULTS = { initialDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 10 };
const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** An answer worth asking again after a while: a gateway or upstream failure, too many readers. */
export const isRetryable = (e: ApiError) => RETRYABLE_STATUS.has(e.status) || e.code === "too_many_readers";

/**
 * The wait before the `attempt`th retry in a row: exponential from `base`, capped, with jitter
 * (half fixed, half random) so clients cut off together do not come back together.
 */
export function backoffDelay(attempt: number, base: number, cap: number, random = Math.random): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The SSE messages of one answer's body, as they arrive. Leaving early cancels the body. */
async function* messages(res: Response, onRetry: (ms: number) => void): AsyncGenerator<SseMessage> {
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const queue: SseMessage[] = [];
  const parser = createSseParser({ onEvent: (m) => queue.push(m), onRetry });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      for (let i = 0; i < queue.length; i++) yield queue[i]!;
      queue.length = 0;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

class ResumingStream implements EventStream {
  appId: string | undefined;
  lastEventId: number | undefined;
  headers: Headers | undefined;
  readonly #events: AsyncGenerator<AppEvent, void>;

  constructor(
    plan: StreamPlan,
    transport: Transport,
    options: ReconnectOptions,
    signal: AbortSignal | undefined,
  ) {
    this.#events = this.#run(plan, transport, options, signal);
  }

  next() {
    return this.#events.next();
  }

  return() {
    return this.#events.return();
  }

  throw(err: unknown) {
    return this.#events.throw(err);
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async *#run(
    plan: StreamPlan,
    transport: Transport,
    options: ReconnectOptions,
    outer: AbortSignal | undefined,
  ) {
    // One controller for the fetches and waits of this stream: the caller's signal aborts it, and
    // so does leaving the loop (break), which cancels a request still in flight.
    const controller = new AbortController();
    const signal = controller.signal;
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener("abort", forward, { once: true });
    let serverDelay: number | undefined;
    const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
    let failures = 0;
    /** Counts a passing failure; throws it when it was an abort or when too many came in a row. */
    const failed = (err: unknown) => {
      if (signal.aborted) throw signal.reason;
      if (++failures >= maxAttempts) throw err;
    };
    try {
      for (;;) {
        if (failures > 0) {
          const base = options.initialDelayMs ?? serverDelay ?? DEFAULTS.initialDelayMs;
          await sleep(backoffDelay(failures, base, options.maxDelayMs ?? DEFAULTS.maxDelayMs), signal);
        }
        const headers = await transport.headers();
        let res: Response;
        try {
          res = await transport.fetch(plan.connect(this), headers, signal);
        } catch (err) {
          failed(err);
          continue;
        }
        if (res.status === 204) {
          // Nothing after the cursor and nothing in progress: the contract's signal to stop.
          await res.body?.cancel().catch(() => undefined);
          return;
        }
        if (!res.ok) {
          const err = await apiError(res);
          if (!isRetryable(err)) throw err;
          failed(err);
          continue;
        }
        if (!/^text\/event-stream/i.test(res.headers.get("content-type") ?? "")) {
          await res.body?.cancel().catch(() => undefined);
          throw new StreamProtocolError(`a ${res.status} answer that is not an event stream`);
        }
        this.appId ??= res.headers.get("x-app-id") ?? undefined;
        this.headers ??= res.headers;
        const incoming = messages(res, (ms) => {
          serverDelay = ms;
        });
        let delivered = 0;
        let cut: { err: unknown } | undefined;
        try {
          for (;;) {
            let step: IteratorResult<SseMessage>;
            try {
              step = await incoming.next();
            } catch (err) {
              cut = { err };
              break;
            }
            if (step.done) break;
            const m = step.value;
            const id = m.id === undefined ? undefined : Number(m.id);
            // A replay after a reconnection starts at or before what was delivered: skip that part.
            if (id !== undefined && this.lastEventId !== undefined && id <= this.lastEventId) continue;
            // An abort also stops what an answer already held, before its id counts as delivered
            // (`lastEventId` is where a later follow resumes: it must not pass an undelivered event).
            if (signal.aborted) throw signal.reason;
            const event = toAppEvent(m);
            if (id !== undefined && Number.isSafeInteger(id)) this.lastEventId = id;
            if (!event) continue;
            delivered++;
            failures = 0;
            yield event;
            if (plan.isLast?.(event)) return;
          }
        } finally {
          await incoming.return(undefined);
        }
        // A run's stream ends with its last event, so an end before it is a cut. An app's log
        // stream that ended is asked again from its cursor: it answers 204 when nothing is left.
        if (cut) failed(cut.err);
        else if (plan.isLast) failed(new TypeError("the event stream ended before its last event"));
        else if (delivered === 0 || this.lastEventId === undefined) return;
      }
    } finally {
      outer?.removeEventListener("abort", forward);
      controller.abort();
    }
  }
}

/** Reads the events `plan` connects to, reconnecting and resuming as needed. */
export function resumingStream(
  plan: StreamPlan,
  transport: Transport,
  options: ReconnectOptions = {},
  signal?: AbortSignal,
): EventStream {
  return new ResumingStream(plan, transport, options, signal);
}
