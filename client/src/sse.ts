/** One event of a `text/event-stream`, as the WHATWG HTML standard parses it. */
export interface SseMessage {
  /** The event's own `id:` field; undefined when the event had none. */
  id: string | undefined;
  /** The `event:` field, `message` when absent. */
  event: string;
  data: string;
}

export interface SseHandlers {
  onEvent(message: SseMessage): void;
  /** A `retry:` field: the server's reconnection delay in milliseconds. */
  onRetry?(ms: number): void;
}

/**
 * An incremental parser: feed it decoded text in chunks of any size. Lines end with CRLF, LF or
 * CR (a CR at the end of one chunk and an LF at the start of the next are one line end). An event
 * is dispatched at its blank line, so an event cut off by the end of the stream is never seen.
 *
 * Unlike the standard's EventSource, `id` is the event's own field, not the last one seen on the
 * stream: a resuming reader must know which events carry a cursor (`debug` events carry none).
 */
export function createSseParser(handlers: SseHandlers): { feed(text: string): void } {
  let pending = "";
  let skipLf = false;
  let data: string[] = [];
  let event = "";
  let id: string | undefined;

  const dispatch = () => {
    if (data.length > 0) handlers.onEvent({ id, event: event || "message", data: data.join("\n") });
    data = [];
    event = "";
    id = undefined;
  };

  const line = (text: string) => {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") {
      if (!value.includes("\u0000")) id = value;
    } else if (field === "retry") {
      if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
    }
  };

  return {
    feed(text: string) {
      let start = 0;
      if (skipLf && text.startsWith("\n")) start = 1;
      skipLf = false;
      for (let i = start; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(pending + text.slice(start, i));
        pending = "";
        if (c === 13) {
          if (i + 1 === text.length) skipLf = true;
          else if (text.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
      pending += text.slice(start);
    },
  };
}
