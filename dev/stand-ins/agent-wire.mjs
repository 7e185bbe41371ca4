// The Agent Server's wire format: request validation (FastAPI-style 422 details) and the event JSON,
// written by hand so the key order is fixed and agent states can carry numbers beyond 2^53.

export const AGENT_KINDS = new Set([
  "StageResult",
  "RuntimeError",
  "RefinementRequest",
  "ReviewResult",
  "KeepAlive",
  "WipUpdate",
]);
const TEMPLATES = new Set(["trpc_agent", "nicegui_agent", "laravel_agent"]);

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Returns FastAPI-style error details (empty when the body is acceptable). */
export function validateRequest(body) {
  const errors = [];
  const err = (loc, type, msg, input) => errors.push({ type, loc: ["body", ...loc], msg, input });
  if (!isObject(body)) {
    err([], "model_attributes_type", "Input should be a valid dictionary or object", body ?? null);
    return errors;
  }
  const msgs = body.allMessages;
  if (msgs === undefined) err(["allMessages"], "missing", "Field required", body);
  else if (!Array.isArray(msgs)) err(["allMessages"], "list_type", "Input should be a valid list", msgs);
  else if (msgs.length === 0)
    err(["allMessages"], "too_short", "List should have at least 1 item after validation, not 0", msgs);
  else for (const [i, m] of msgs.entries()) validateEntry(m, ["allMessages", i], err);
  for (const key of ["applicationId", "traceId"]) {
    if (body[key] === undefined) err([key], "missing", "Field required", body);
    else if (typeof body[key] !== "string")
      err([key], "string_type", "Input should be a valid string", body[key]);
  }
  if (body.agentState != null && !isObject(body.agentState))
    err(["agentState"], "dict_type", "Input should be a valid dictionary", body.agentState);
  if (body.settings != null && !isObject(body.settings))
    err(["settings"], "dict_type", "Input should be a valid dictionary", body.settings);
  if (body.templateId != null && !TEMPLATES.has(body.templateId))
    err(
      ["templateId"],
      "enum",
      "Input should be 'trpc_agent', 'nicegui_agent' or 'laravel_agent'",
      body.templateId,
    );
  if (body.allFiles != null) {
    if (!Array.isArray(body.allFiles))
      err(["allFiles"], "list_type", "Input should be a valid list", body.allFiles);
    else
      for (const [i, f] of body.allFiles.entries()) {
        if (!isObject(f)) {
          err(["allFiles", i], "model_type", "Input should be an object", f);
          continue;
        }
        for (const k of ["path", "content"]) {
          if (typeof f[k] !== "string")
            err(
              ["allFiles", i, k],
              f[k] === undefined ? "missing" : "string_type",
              "Input should be a valid string",
              f[k] ?? f,
            );
        }
      }
  }
  return errors;
}

function validateEntry(m, loc, err) {
  if (!isObject(m)) return err(loc, "model_type", "Input should be an object", m);
  if (m.role === "user") {
    if (typeof m.content !== "string")
      err([...loc, "content"], "string_type", "Input should be a valid string", m.content ?? null);
    return;
  }
  if (m.role !== "assistant")
    return err([...loc, "role"], "literal_error", "Input should be 'user' or 'assistant'", m.role ?? null);
  if (!AGENT_KINDS.has(m.kind))
    return err(
      [...loc, "kind"],
      "enum",
      `Input should be ${[...AGENT_KINDS].map((k) => `'${k}'`).join(", ")}`,
      m.kind ?? null,
    );
  if (m.messages == null) return;
  if (!Array.isArray(m.messages))
    return err([...loc, "messages"], "list_type", "Input should be a valid list", m.messages);
  for (const [j, x] of m.messages.entries()) {
    if (!isObject(x) || typeof x.content !== "string")
      err([...loc, "messages", j, "content"], "string_type", "Input should be a valid string", x);
  }
}

/** Zone-less UTC with microseconds, like Python's `datetime.utcnow().isoformat()`. */
export function timestamp() {
  const micros = Math.floor((performance.now() % 1) * 1000);
  return new Date().toISOString().slice(0, 23) + String(micros).padStart(3, "0");
}

const q = (v) => (v === null || v === undefined ? "null" : JSON.stringify(v));

/**
 * One event's JSON text. `agentState` is raw JSON text (or null) so big numbers pass through;
 * `messages` is a list of strings (assistant texts) or null.
 */
export function eventJson({
  status,
  traceId,
  kind,
  messages = [],
  agentState = null,
  unifiedDiff = null,
  appName = null,
  commitMessage = null,
}) {
  const msgs =
    messages === null ? "null" : JSON.stringify(messages.map((content) => ({ role: "assistant", content })));
  return (
    `{"status":${q(status)},"traceId":${q(traceId)},"message":{"role":"assistant","kind":${q(kind)},` +
    `"messages":${msgs},"agentState":${agentState ?? "null"},"unifiedDiff":${q(unifiedDiff)},` +
    `"completeDiffHash":null,"diffStat":null,"app_name":${q(appName)},"commit_message":${q(commitMessage)}},` +
    `"timestamp":${q(timestamp())}}`
  );
}

export const frame = (json) => `data: ${json}\n\n`;
