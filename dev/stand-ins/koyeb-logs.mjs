// Koyeb's log query (`GET /v1/streams/logs/query`, `QueryLogs` in Koyeb's OpenAPI description):
// `type` build or runtime (default runtime); at least one of app_id, service_id, deployment_id,
// regional_deployment_id, instance_ids; `streams` (stdout, stderr, koyeb); `start` before `end`
// (defaults: 15 minutes ago, now); `order` asc or desc (default desc); `limit` up to 1000
// (default 100); `text` or `regex`, not both. Answers `{ data: [{ msg, created_at, labels }],
// pagination: { has_more, next_start, next_end } }`, the next window holding what `limit` left out.
// Here `start` is inclusive and `end` exclusive.
import { send } from "./http.mjs";
import { isoMicro, parseRfc3339 } from "./koyeb-world.mjs";

const invalid = (res, field, description) =>
  send(res, 400, {
    status: 400,
    code: "invalid_argument",
    message: "Invalid argument",
    fields: [{ field, description }],
  });

const FILTERS = ["app_id", "service_id", "deployment_id", "regional_deployment_id", "instance_ids"];
const LABEL = {
  app_id: "app_id",
  service_id: "service_id",
  deployment_id: "deployment_id",
  regional_deployment_id: "regional_deployment_id",
  instance_ids: "instance_id",
};

export function queryLogs(logs, url, res) {
  const p = url.searchParams;
  const type = p.get("type") ?? "runtime";
  if (!["build", "runtime"].includes(type)) return invalid(res, "type", 'must be "build" or "runtime"');
  if (!FILTERS.some((f) => p.getAll(f).some(Boolean))) {
    return invalid(
      res,
      "app_id",
      "at least one of app_id, service_id, deployment_id, regional_deployment_id or instance_ids must be set",
    );
  }
  const streams = p.getAll("streams");
  if (streams.some((s) => !["stdout", "stderr", "koyeb"].includes(s)))
    return invalid(res, "streams", 'each must be "stdout", "stderr" or "koyeb"');
  const order = p.get("order") ?? "desc";
  if (!["asc", "desc"].includes(order)) return invalid(res, "order", 'must be "asc" or "desc"');
  const rawLimit = p.get("limit") ?? "100";
  const limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
  if (!(limit >= 1 && limit <= 1000)) return invalid(res, "limit", "must be between 1 and 1000");
  const nowUs = Date.now() * 1000;
  const end = p.has("end") ? parseRfc3339(p.get("end")) : nowUs;
  if (end === null) return invalid(res, "end", "must be an RFC 3339 date-time");
  const start = p.has("start") ? parseRfc3339(p.get("start")) : nowUs - 15 * 60 * 1_000_000;
  if (start === null) return invalid(res, "start", "must be an RFC 3339 date-time");
  if (start >= end) return invalid(res, "start", "must be before end");
  if (p.has("text") && p.has("regex")) return invalid(res, "regex", "cannot be used with text");
  let match = () => true;
  if (p.has("text")) match = (msg) => msg.includes(p.get("text"));
  if (p.has("regex")) {
    let rx;
    try {
      rx = new RegExp(p.get("regex"));
    } catch {
      return invalid(res, "regex", "is not a valid regular expression");
    }
    match = (msg) => rx.test(msg);
  }

  const window = logs.filter(
    (l) =>
      l.type === type &&
      l.us >= start &&
      l.us < end &&
      FILTERS.every((f) => {
        const wanted = p.getAll(f).filter(Boolean);
        return !wanted.length || wanted.includes(String(l.labels[LABEL[f]] ?? ""));
      }) &&
      (!streams.length || streams.includes(l.labels.stream)) &&
      match(l.msg),
  );
  if (order === "desc") window.reverse();
  const page = window.slice(0, limit);
  const rest = window[limit];
  const pagination = { has_more: rest !== undefined };
  if (rest) {
    // The window left to read: after the page (asc), or before it (desc).
    Object.assign(
      pagination,
      order === "asc"
        ? { next_start: rest.created_at, next_end: isoMicro(end) }
        : { next_start: isoMicro(start), next_end: page.at(-1).created_at },
    );
  }
  send(res, 200, {
    data: page.map((l) => ({ msg: l.msg, created_at: l.created_at, labels: { ...l.labels } })),
    pagination,
  });
}
