/** Structured JSON logs, one object per line. Never pass tokens, keys or message bodies. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

function errorFields(err: unknown): LogFields {
  if (!(err instanceof Error)) return { error: String(err) };
  const out: LogFields = { error: err.message, errorName: err.name };
  if (err.cause !== undefined) out.cause = errorFields(err.cause);
  return out;
}

export function createLogger(base: LogFields = {}): Logger {
  const write = (level: string, msg: string, fields: LogFields = {}) => {
    const { err, ...rest } = fields;
    const line = {
      level,
      msg,
      time: new Date().toISOString(),
      ...base,
      ...rest,
      ...(err ? errorFields(err) : {}),
    };
    (level === "error" ? console.error : console.log)(JSON.stringify(line));
  };
  return {
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (f) => createLogger({ ...base, ...f }),
  };
}
