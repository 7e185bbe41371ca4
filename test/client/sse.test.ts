import { createParser } from "eventsource-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, createSseParser, type SseMessage } from "../../client/src/index";

// The client's own SSE parser (it has no dependency) judged by eventsource-parser, which the
// Worker and the tests use, on arbitrary streams cut into arbitrary chunks.

const value = fc.string({ unit: fc.constantFrom("a", "b", " ", ":", "é", "😀", "{", '"', "1") });
const line = fc.oneof(
  value.map((v) => `data:${v}`),
  value.map((v) => `data: ${v}`),
  fc.constant("data"),
  fc.constantFrom("event:message", "event: done", "event:error", "event"),
  value.map((v) => `id: ${v}`),
  fc.nat(100_000).map((n) => `retry: ${n}`),
  fc.constant("retry: soon"),
  value.map((v) => `:${v}`),
  value.map((v) => `other: ${v}`),
  fc.constant(""),
);
const stream = fc
  .array(fc.tuple(line, fc.constantFrom("\n", "\r\n", "\r")), { maxLength: 40 })
  .map((lines) => lines.map(([l, end]) => l + end).join(""));

/** What a parser made of `chunks`: its events and its retry values. */
function parseWith(kind: "client" | "reference", chunks: string[]) {
  const events: SseMessage[] = [];
  const retries: number[] = [];
  const onRetry = (ms: number) => retries.push(ms);
  const parser =
    kind === "client"
      ? createSseParser({ onEvent: (m) => events.push(m), onRetry })
      : createParser({
          onEvent: (m) => events.push({ id: m.id, event: m.event ?? "message", data: m.data }),
          onRetry,
        });
  for (const c of chunks) parser.feed(c);
  return { events, retries };
}

function split(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
}

describe("the client's SSE parser", () => {
  it("reads any stream, cut anywhere, as eventsource-parser does", () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (lines, cuts) => {
        // The final line end: eventsource-parser holds a CR at the very end back, waiting for a
        // possible LF; the client's parser ends the line at once. Both are right; an LF settles it.
        const text = `${lines}\n`;
        const chunks = split(text, cuts);
        expect(chunks.join("")).toBe(text);
        expect(parseWith("client", chunks)).toEqual(parseWith("reference", [text]));
      }),
      { numRuns: 500 },
    );
  });

  it("never dispatches an event whose blank line did not come (a cut connection)", () => {
    const got = parseWith("client", ['id: 1\nevent: message\ndata: {"a":1}\n\nid: 2\ndata: {"b"']);
    expect(got.events).toEqual([{ id: "1", event: "message", data: '{"a":1}' }]);
  });

  it("gives each event its own id only, so one without an id carries none", () => {
    const got = parseWith("client", ["id: 7\ndata: a\n\nevent: debug\ndata: b\n\n"]);
    expect(got.events.map((e) => e.id)).toEqual(["7", undefined]);
  });
});

describe("backoff", () => {
  it("doubles from the base up to the cap, half of it fixed and half random", () => {
    expect(backoffDelay(1, 2000, 30_000, () => 0)).toBe(1000);
    expect(backoffDelay(1, 2000, 30_000, () => 1)).toBe(2000);
    expect(backoffDelay(3, 2000, 30_000, () => 0.5)).toBe(6000);
    expect(backoffDelay(20, 2000, 30_000, () => 1)).toBe(30_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, 100, 5000, () => r);
        const ceiling = Math.min(5000, 100 * 2 ** (n - 1));
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});
