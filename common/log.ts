/**
 * Structured logs: one JSON object per line on stderr, so log shippers parse them without rules.
 * `LOG_LEVEL` (debug, info, warn, error, silent) sets the threshold; default info.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  /** The threshold, so a worker thread can log as its parent does. */
  readonly level: LogLevel | "silent";
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function isLogLevel(value: string): value is LogLevel | "silent" {
  return Object.hasOwn(RANK, value); // not `in`: "constructor" and "toString" passed as levels
}

export function createLogger(
  base: LogFields = {},
  threshold: LogLevel | "silent" = levelFromEnv(),
  write: (line: string) => void = (line) => process.stderr.write(line + "\n"),
): Logger {
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < RANK[threshold]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...errorsAsJson(fields) }));
  };
  return {
    level: threshold,
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, threshold, write),
  };
}

function levelFromEnv(): LogLevel | "silent" {
  const level = process.env.LOG_LEVEL ?? "info";
  return isLogLevel(level) ? level : "info";
}

// Error objects stringify to {}; keep what helps an operator.
function errorsAsJson(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
  }
  return out;
}
