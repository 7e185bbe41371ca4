import type { StoredEvent } from "./storage";

const encoder = new TextEncoder();
/** A subscriber further behind than this is dropped; it reconnects with Last-Event-ID. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Delay a write may wait for company: small against the 25 ms relay budget. */
const COALESCE_MS = 2;
const COALESCE_MAX_CHARS = 64 * 1024;
/** A replay reads this many events at a time and waits for the reader below REPLAY_HIGH_WATER. */
const REPLAY_PAGE_EVENTS = 200;
const REPLAY_HIGH_WATER = 1024 * 1024;
/** Readers one app may have open at once (docs/decisions.md: too_many_readers beyond it). */
export const MAX_READERS_PER_APP = 50;

/** Reads the log after a cursor, a page at a time (synchronously: SQLite), bounded in count and size. */
export type LogSource = (after: number, limit: number, maxChars: number) => StoredEvent[];

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
  private drainWaiters: (() => void)[] = [];
  closed = false;
  /** Live events are sent only once the replay has caught up with the log. */
  live = false;

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
        if (this.pending < REPLAY_HIGH_WATER) this.wake();
      },
      () => this.close(true),
    );
  }

  private wake(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** More than REPLAY_HIGH_WATER is buffered or unread. */
  behind(): boolean {
    return this.pending + this.buffered.length >= REPLAY_HIGH_WATER;
  }

  /** Sends what is buffered and resolves once the reader has less than REPLAY_HIGH_WATER unread. */
  drained(): Promise<void> {
    this.flush();
    if (this.closed || this.pending < REPLAY_HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(abort = false): void {
    if (this.closed) return;
    if (!abort) this.flush();
    if (this.closed) return; // the flush found the reader too far behind and dropped it
    this.closed = true;
    this.wake();
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

  /** Another reader would exceed MAX_READERS_PER_APP. */
  get full(): boolean {
    return this.subs.size >= MAX_READERS_PER_APP;
  }

  /**
   * Opens a stream that starts with `retry:`, replays the log from `after` a page at a time (the
   * reader's pace bounds memory, whatever the log's size), then follows live. The last page read
   * and the switch to live happen in one synchronous step, so no event falls between them.
   * `follow` decides, once caught up, whether to stay for live events.
   */
  open(
    options: SubscriberOptions,
    replay: { source: LogSource; after: number; follow: () => boolean } | null,
  ): Subscriber {
    const sub = new Subscriber(options, (s) => {
      this.subs.delete(s);
      if (this.subs.size === 0) this.onEmpty();
    });
    this.subs.add(sub);
    sub.write("retry: 2000\n\n");
    if (!replay) {
      sub.live = true;
      return sub;
    }
    void this.replay(sub, replay).catch(() => sub.close(true));
    return sub;
  }

  private async replay(
    sub: Subscriber,
    r: { source: LogSource; after: number; follow: () => boolean },
  ): Promise<void> {
    const runId = sub.options.runId;
    for (let cursor = r.after; ; ) {
      if (sub.closed) return;
      const page = r.source(cursor, REPLAY_PAGE_EVENTS, REPLAY_HIGH_WATER);
      if (page.length === 0) {
        if (r.follow()) sub.live = true;
        else sub.close();
        return;
      }
      for (const e of page) {
        cursor = e.seq;
        sub.write(sseEvent(e));
        if (runId && e.event === "done") {
          sub.close();
          return;
        }
        if (sub.behind()) await sub.drained();
        if (sub.closed) return;
      }
      await sub.drained();
    }
  }

  broadcast(e: StoredEvent): void {
    const text = sseEvent(e);
    for (const s of this.subs) {
      if (!s.live) continue;
      if (s.options.runId && s.options.runId !== e.runId) continue;
      s.write(text);
      if (s.options.runId && e.event === "done") s.close();
    }
  }

  /** Debug lines are live only and carry no id (they are not part of the log). */
  debug(runId: string, data: string): void {
    for (const s of this.subs) {
      if (!s.options.debug || !s.live) continue;
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
      if (!s.live || (s.options.runId && s.options.runId !== runId)) continue;
      s.write(text);
      if (s.options.runId) s.close();
    }
  }

  /** Ends the readers of a run that will never start (its lock was given back). */
  closeRun(runId: string): void {
    for (const s of this.subs) if (s.options.runId === runId) s.close();
  }

  /** Ends the app-wide followers once nothing is in progress any more (a replaying one ends when caught up). */
  closeFollowers(): void {
    for (const s of this.subs) if (!s.options.runId && s.live) s.close();
  }

  closeAll(): void {
    for (const s of this.subs) s.close();
  }
}
