// Agent Server stand-in: `POST /message` with the real server's auth, validation and SSE framing,
// driven by named scenarios (see agent-scenarios.mjs). Control endpoints under /__dev/.
import { runScenario, SCENARIOS } from "./agent-scenarios.mjs";
import { eventJson, frame, validateRequest } from "./agent-wire.mjs";
import { guardRoutes } from "./faults.mjs";
import { createServer, INVALID_JSON, json, listen, send } from "./http.mjs";

const MAX_RECORDS = 1000;
const MARKER = /\[scenario:([a-z_]+)((?:\s+[\w-]+=[^\s\]]*)*)\s*\]/;

/** Options given as strings become numbers when they look like one. */
function normalizeOptions(raw = {}) {
  const out = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = typeof v === "string" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** `[scenario:NAME key=value …]` in the last user message, if any. */
export function markerIn(text) {
  const m = MARKER.exec(text ?? "");
  if (!m) return null;
  const options = {};
  for (const pair of m[2].trim().split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf("=");
    options[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { scenario: m[1], options: normalizeOptions(options) };
}

/** The SSE writer: whole events per write, backpressure, KeepAlives, client-close tracking. */
class EventStream {
  constructor(res, traceId, record) {
    this.res = res;
    this.traceId = traceId;
    this.record = record;
    this.closed = false;
    this.finished = false;
    this.timer = null;
    this.wakers = new Set();
    res.on("close", () => {
      this.closed = true;
      this.stopKeepAlive();
      if (!this.finished) record.outcome = "client_closed";
      for (const w of this.wakers) w();
    });
  }

  open() {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
    this.res.flushHeaders();
  }

  /** Writes raw text; resolves once the socket can take more (respecting backpressure). */
  write(text, events = 1) {
    if (this.closed) return Promise.resolve();
    this.record.eventsSent += events;
    if (this.res.write(text)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.wakers.delete(done);
        this.res.off("drain", done);
        resolve();
      };
      this.wakers.add(done);
      this.res.once("drain", done);
    });
  }

  event(fields) {
    return this.write(frame(eventJson({ traceId: this.traceId, ...fields })));
  }

  keepAliveEvery(ms) {
    if (!ms || ms <= 0) return;
    this.timer = setInterval(() => {
      if (!this.finished) this.event({ status: "running", kind: "KeepAlive", messages: [] });
    }, ms);
  }

  stopKeepAlive() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Waits `ms`, or less if the client goes away. */
  sleep(ms) {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** The idle event went out: close the stream as the real server does. */
  end() {
    this.finished = true;
    this.stopKeepAlive();
    if (!this.closed) this.record.outcome = "completed";
    this.res.end();
  }

  /** Drop the connection without an idle event (a cut run). */
  cut(how = "destroy") {
    this.finished = true;
    this.stopKeepAlive();
    if (!this.closed) this.record.outcome = "cut";
    if (how === "end") this.res.end();
    else this.res.destroy();
  }
}

export async function startAgent({ port = 0, secret = "dev-agent-secret" } = {}) {
  const records = [];
  const registered = new Map(); // applicationId ("*" = any app) -> [{ scenario, options }]

  const takeRegistered = (appId) => {
    for (const key of [appId, "*"]) {
      const queue = registered.get(key);
      if (queue?.length) {
        const next = queue.shift();
        if (!queue.length) registered.delete(key);
        return next;
      }
    }
    return null;
  };

  /** Every request is recorded, the refused ones too, with the status it got. */
  function record(ctx) {
    const parsed = json(ctx.body);
    ctx.record = {
      receivedAt: new Date().toISOString(),
      headers: { ...ctx.req.headers },
      body: parsed === INVALID_JSON ? null : parsed,
      raw: ctx.body.toString("utf8"),
      status: 0,
      scenario: null,
      options: null,
      outcome: "rejected",
      eventsSent: 0,
    };
    records.push(ctx.record);
    if (records.length > MAX_RECORDS) records.shift();
  }
  const reject = ({ res, record }, status, detail, headers) => {
    record.status = status;
    send(res, status, { detail }, headers);
  };

  /** The real server's bearer check: no credential is a 401, a wrong one a 403. */
  function refuse({ req }) {
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, detail: "Not authenticated", headers: { "www-authenticate": "Bearer" } };
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m || m[1] !== secret) return { status: 403, detail: "Invalid authentication credentials" };
    return null;
  }

  async function message(ctx) {
    const { res, body: rawBody, record } = ctx;
    const parsed = json(rawBody);
    const { body, raw } = record;
    if (parsed === INVALID_JSON || parsed === undefined)
      return reject(ctx, 422, [
        {
          type: "json_invalid",
          loc: ["body", 0],
          msg: "JSON decode error",
          input: {},
          ctx: { error: "Expecting value" },
        },
      ]);
    const problems = validateRequest(body);
    if (problems.length) return reject(ctx, 422, problems);

    const lastUser = [...body.allMessages].reverse().find((e) => e.role === "user");
    const choice = markerIn(lastUser?.content) ??
      takeRegistered(body.applicationId) ?? {
        scenario: body.agentState?.fsm_state != null ? "edit" : "build",
        options: {},
      };
    record.scenario = choice.scenario;
    record.options = normalizeOptions(choice.options);
    if (!SCENARIOS.has(choice.scenario))
      return reject(ctx, 422, [
        {
          type: "value_error",
          loc: ["body", "allMessages"],
          msg: `Unknown scenario ${choice.scenario}`,
          input: choice.scenario,
        },
      ]);

    record.status = 200;
    record.outcome = "streaming";
    const stream = new EventStream(res, body.traceId, record);
    await runScenario(choice.scenario, { stream, body, raw, options: record.options, res, record });
  }

  const server = createServer("agent", [
    ...guardRoutes([["POST", "/message", message]], {
      before: record,
      refuse,
      refused: (ctx, refusal) => reject(ctx, refusal.status, refusal.detail, refusal.headers),
    }),
    [
      "GET",
      "/__dev/requests",
      ({ res, url }) => {
        const appId = url.searchParams.get("applicationId");
        send(res, 200, appId ? records.filter((r) => r.body?.applicationId === appId) : records);
      },
    ],
    [
      "DELETE",
      "/__dev/requests",
      ({ res, url }) => {
        const appId = url.searchParams.get("applicationId");
        const keep = appId ? records.filter((r) => r.body?.applicationId !== appId) : [];
        records.splice(0, records.length, ...keep);
        send(res, 204);
      },
    ],
    [
      "POST",
      "/__dev/scenario",
      ({ res, body }) => {
        const b = json(body);
        if (!b || typeof b.applicationId !== "string" || !SCENARIOS.has(b.scenario))
          return send(res, 400, { detail: `applicationId and one of: ${[...SCENARIOS].join(", ")}` });
        const queue = registered.get(b.applicationId) ?? [];
        queue.push({ scenario: b.scenario, options: normalizeOptions(b.options ?? {}) });
        registered.set(b.applicationId, queue);
        send(res, 201, { applicationId: b.applicationId, queued: queue.length });
      },
    ],
    [
      "DELETE",
      "/__dev/scenario",
      ({ res, url }) => {
        const appId = url.searchParams.get("applicationId");
        if (appId) registered.delete(appId);
        else registered.clear();
        send(res, 204);
      },
    ],
  ]);
  server.requestTimeout = 0;
  const handle = await listen(server, port);
  return { ...handle, records, secret };
}
