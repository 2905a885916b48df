// Structured logging for core services. Callers pass fields, never secret values or PINs;
// the sink is pluggable so tests can capture everything a suite logged and search it.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface LogRecord {
  time: string;
  level: LogLevel;
  scope: string;
  message: string;
  fields: LogFields;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes one JSON line per record to stderr, at or above the given level. */
export function stderrSink(minLevel: LogLevel = 'info'): LogSink {
  return (record) => {
    if (LEVELS[record.level] >= LEVELS[minLevel]) process.stderr.write(`${JSON.stringify(record)}\n`);
  };
}

/** Keeps every record in memory: for tests that search what was logged. */
export function memorySink(): LogSink & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const sink = (record: LogRecord) => {
    records.push(record);
  };
  return Object.assign(sink, { records });
}

export function createLogger(sinks: LogSink[], scope = 'core'): Logger {
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const record: LogRecord = { time: new Date().toISOString(), level, scope, message, fields };
    for (const sink of sinks) sink(record);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (child) => createLogger(sinks, `${scope}.${child}`),
  };
}

/** Global sinks every core created in this process also writes to (tests register one here). */
export const processSinks: LogSink[] = [];
