import { createParser } from "eventsource-parser";

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
  json: unknown;
}

export interface SseRead {
  events: SseEvent[];
  retry: number | undefined;
  comments: string[];
  /** The stream ended (the server closed it), as opposed to a stop condition being met. */
  ended: boolean;
}

/**
 * Reads an SSE response until the server closes it, `until` says stop, or `timeoutMs` passes.
 * Stopping early cancels the body — exactly what a client that disconnects does.
 */
export async function readSse(
  res: Response,
  opts: { until?: (e: SseEvent, all: SseEvent[]) => boolean; timeoutMs?: number } = {},
): Promise<SseRead> {
  const out: SseRead = { events: [], retry: undefined, comments: [], ended: false };
  if (!res.body) return { ...out, ended: true };
  let stop = false;
  const parser = createParser({
    onEvent: (m) => {
      if (stop) return;
      let json: unknown;
      try {
        json = JSON.parse(m.data);
      } catch {
        json = undefined;
      }
      const e = { id: m.id, event: m.event ?? "message", data: m.data, json };
      out.events.push(e);
      if (opts.until?.(e, out.events)) stop = true;
    },
    onRetry: (r) => {
      out.retry = r;
    },
    onComment: (c) => {
      out.comments.push(c.trim());
    },
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  try {
    while (!stop) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SSE read timed out; got ${out.events.map((e) => e.event).join(",")}`);
      const next = await Promise.race([
        reader.read(),
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left)),
      ]);
      if (next === "timeout") continue;
      if (next.done) {
        out.ended = true;
        break;
      }
      parser.feed(next.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return out;
}

export const isDone = (e: SseEvent) => e.event === "done";
