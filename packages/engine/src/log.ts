/**
 * The one log line shape of the web app and the worker: a JSON object per line, errors on
 * stderr, everything else on stdout:
 *
 *   {"time":"2026-01-02T03:04:05.678Z","level":"info","service":"worker","message":"task run started","workerId":"…","taskId":"…"}
 *
 * `time`, `level`, `service` and `message` are always there and always first; `workerId` and
 * `taskId` when the line is about one; then the caller's fields. Lines below the configured
 * level (TIDEWATER_LOG_LEVEL) are not written.
 *
 * Callers pass ids, counts, codes and error messages, never passwords or row contents. As a
 * second line of defence, a field whose name says it holds a secret (password, secret, token,
 * key, authorization, cookie, credentials) is written as "[redacted]", and a URL's password
 * is masked wherever a string field holds one.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields (a worker id, a task id) to every line. */
  child(fields: LogFields): Logger;
  isEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  service: 'web' | 'worker';
  level: LogLevel;
  /** Where lines go; stdout/stderr by default (tests collect them). */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED = new Set(['time', 'level', 'service', 'message']);
const SECRET_NAME =
  /pass(word)?|secret|token|api[-_]?key|private[-_]?key|^key$|authorization|cookie|credential/i;
/** user:password@ in a URL; the password goes, the user stays. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi;

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const threshold = RANK[options.level];
  const write = options.write ?? writeToConsole;
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold) return;
    const merged = { ...bound, ...fields };
    const line: LogFields = {
      time: now().toISOString(),
      level,
      service: options.service,
      message: maskUrlPasswords(message),
    };
    if (merged.workerId !== undefined) line.workerId = merged.workerId;
    if (merged.taskId !== undefined) line.taskId = merged.taskId;
    for (const [name, value] of Object.entries(merged)) {
      if (name === 'workerId' || name === 'taskId' || value === undefined) continue;
      // A caller's field never overwrites the shape's own.
      line[RESERVED.has(name) ? `field_${name}` : name] = clean(name, value, 0);
    }
    write(JSON.stringify(line), level);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
    isEnabled: (level) => RANK[level] >= threshold,
  };
}

function writeToConsole(line: string, level: LogLevel): void {
  if (level === 'error') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

function clean(name: string, value: unknown, depth: number): unknown {
  if (SECRET_NAME.test(name) && value !== null && value !== '') return '[redacted]';
  if (typeof value === 'string') return maskUrlPasswords(value);
  if (value instanceof Error) return maskUrlPasswords(value.message);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => clean('', item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as LogFields).map(([key, item]) => [key, clean(key, item, depth + 1)]),
  );
}

export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@');
}
