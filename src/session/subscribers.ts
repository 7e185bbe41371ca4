import type { StoredEvent } from "./storage";

const encoder = new TextEncoder();
/** A subscriber further behind than this is dropped; it reconnects with Last-Event-ID. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Delay a write may wait for company: small against the 25 ms relay budget. */
const COALESCE_MS = 2;
const COALESCE_MAX_CHARS = 64 * 1024;

export function sseEvent(e: StoredEvent): string {
  return `id: ${e.seq}\nevent: ${e.event}\ndata: ${e.data}\n\n`;
}

export interface SubscriberOptions {
  /** Follow only this run, and end after its `done`. Without it: follow the app until it is idle. */
  runId?: string;
  /** Receives `debug` events (employees only). */
  debug: boolean;
}

class Subscriber {
  readonly stream: ReadableStream<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private pending = 0;
  private buffered = "";
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  closed = false;

  constructor(
    readonly options: SubscriberOptions,
    private readonly onClose: (s: Subscriber) => void,
  ) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.stream = readable;
    this.writer = writable.getWriter();
  }

  /**
   * Queues text; what is written within COALESCE_MS (or up to COALESCE_MAX_CHARS) goes out as one
   * stream write, so a burst of agent events costs a few writes, not one per event.
   */
  write(text: string): void {
    if (this.closed) return;
    this.buffered += text;
    if (this.buffered.length >= COALESCE_MAX_CHARS) {
      this.flush();
      return;
    }
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), COALESCE_MS);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.closed || this.buffered === "") return;
    const bytes = encoder.encode(this.buffered);
    this.buffered = "";
    this.pending += bytes.byteLength;
    if (this.pending > MAX_PENDING_BYTES) {
      this.close(true);
      return;
    }
    this.writer.write(bytes).then(
      () => {
        this.pending -= bytes.byteLength;
      },
      () => this.close(true),
    );
  }

  close(abort = false): void {
    if (this.closed) return;
    if (!abort) this.flush();
    if (this.closed) return; // the flush found the reader too far behind and dropped it
    this.closed = true;
    this.onClose(this);
    if (abort) this.writer.abort().catch(() => undefined);
    else this.writer.close().catch(() => undefined);
  }
}

/** The live readers of one app's event log: each gets every event after its cursor, in order, once. */
export class Subscribers {
  private readonly subs = new Set<Subscriber>();

  /** `onEmpty` runs when the last reader leaves (the keepalive timer stops with it). */
  constructor(private readonly onEmpty: () => void = () => {}) {}

  get size(): number {
    return this.subs.size;
  }

  /**
   * Opens a stream that starts with `retry:` and the replayed events. The caller replays and
   * registers in one synchronous step, so no event can fall between replay and live.
   */
  open(options: SubscriberOptions, replay: StoredEvent[]): Subscriber {
    const sub = new Subscriber(options, (s) => {
      this.subs.delete(s);
      if (this.subs.size === 0) this.onEmpty();
    });
    this.subs.add(sub);
    let text = "retry: 2000\n\n";
    for (const e of replay) {
      text += sseEvent(e);
      if (options.runId && e.runId === options.runId && e.event === "done") {
        sub.write(text);
        sub.close();
        return sub;
      }
    }
    sub.write(text);
    return sub;
  }

  broadcast(e: StoredEvent): void {
    const text = sseEvent(e);
    for (const s of this.subs) {
      if (s.options.runId && s.options.runId !== e.runId) continue;
      s.write(text);
      if (s.options.runId && e.event === "done") s.close();
    }
  }

  /** Debug lines are live only and carry no id (they are not part of the log). */
  debug(runId: string, data: string): void {
    for (const s of this.subs) {
      if (!s.options.debug) continue;
      if (s.options.runId && s.options.runId !== runId) continue;
      s.write(`event: debug\ndata: ${data}\n\n`);
    }
  }

  keepalive(): void {
    for (const s of this.subs) s.write(": keepalive\n\n");
  }

  /**
   * Ends a run's readers with events that could not be logged (storage failed): they carry no id,
   * and app-wide followers get them too, so nobody waits for a `done` that will never be logged.
   */
  endRun(runId: string, events: { event: string; data: string }[]): void {
    const text = events.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join("");
    for (const s of this.subs) {
      if (s.options.runId && s.options.runId !== runId) continue;
      s.write(text);
      if (s.options.runId) s.close();
    }
  }

  /** Ends the readers of a run that will never start (its lock was given back). */
  closeRun(runId: string): void {
    for (const s of this.subs) if (s.options.runId === runId) s.close();
  }

  /** Ends the app-wide followers once nothing is in progress any more. */
  closeFollowers(): void {
    for (const s of this.subs) if (!s.options.runId) s.close();
  }

  closeAll(): void {
    for (const s of this.subs) s.close();
  }
}
