import { TidewaterError, isTidewaterError } from '@tidewater/errors';

/**
 * Losing the control database (PostgreSQL restarting, unreachable, out of connections) is
 * translated here, in one place, into `CONTROL_DB_UNAVAILABLE`: retryable, category
 * `unavailable` (HTTP 503). The worker's retry loop then rides out a restart within the task's
 * retry window instead of failing the task on an "unexpected" error. Every other error passes
 * through unchanged.
 *
 * How a lost connection shows through Prisma's pg adapter (seen against a stopped server):
 * - `PrismaClientKnownRequestError` P1001 (cannot reach), P1002/P1008 (timeouts), P1017 (server
 *   closed the connection), P2024 (no pool connection in time), or P2010 (raw query) whose
 *   `meta.driverAdapterError.cause` is `{ kind: 'DatabaseNotReachable' | 'ConnectionClosed' |
 *   'SocketTimeout' | 'TooManyConnections' }` or `{ kind: 'postgres', code }` with a SQLSTATE
 *   of class 08 (connection exception) or 57P01/57P02/57P03 (admin shutdown, crash shutdown,
 *   cannot connect now: PostgreSQL's error codes, appendix A of its manual);
 * - node-postgres' own errors, unwrapped, inside an interactive transaction whose connection
 *   died ("Client has encountered a connection error and is not queryable", "Connection
 *   terminated unexpectedly"), and socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT).
 */

const PRISMA_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const SQLSTATE_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
];

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
  cause?: unknown;
}

/** Whether `error` says the control database cannot be reached or has dropped the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const shape = current as ErrorShape;
    const code = typeof shape.code === 'string' ? shape.code : '';
    if (PRISMA_UNAVAILABLE_CODES.has(code) || SOCKET_CODES.has(code)) return true;
    if (code.startsWith('08') || SQLSTATE_UNAVAILABLE.has(code)) return true;
    const adapter = shape.meta?.driverAdapterError?.cause;
    if (adapter) {
      if (typeof adapter.kind === 'string' && ADAPTER_UNAVAILABLE_KINDS.has(adapter.kind)) {
        return true;
      }
      const state = typeof adapter.code === 'string' ? adapter.code : '';
      if (state.startsWith('08') || SQLSTATE_UNAVAILABLE.has(state)) return true;
    }
    const message = typeof shape.message === 'string' ? shape.message : '';
    if (PG_CONNECTION_MESSAGES.some((text) => message.includes(text))) return true;
    current = shape.cause;
  }
  return false;
}

/** `CONTROL_DB_UNAVAILABLE` for a lost control database; anything else unchanged. */
export function translateDatabaseError(error: unknown): unknown {
  if (isTidewaterError(error) || !isDatabaseUnavailable(error)) return error;
  return new TidewaterError(
    'CONTROL_DB_UNAVAILABLE',
    `The control database (PostgreSQL) is unavailable: ${reasonOf(error)}.`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        'Running tasks keep retrying from their last checkpoint; make sure PostgreSQL (DATABASE_URL) is running and accepts connections.',
      cause: error,
    },
  );
}

/** Runs a database operation, translating a lost control database. */
export async function guardDatabase<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** The repository with every method translating a lost control database. */
export function withDatabaseErrors<T extends object>(repository: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(repository)) {
    guarded[name] =
      typeof value === 'function'
        ? async function (this: unknown, ...args: unknown[]) {
            try {
              return await (value as (...values: unknown[]) => Promise<unknown>).apply(this, args);
            } catch (error) {
              throw translateDatabaseError(error);
            }
          }
        : value;
  }
  return guarded as T;
}

/** The short reason: the server's message or the adapter's kind, not Prisma's call site. */
function reasonOf(error: unknown): string {
  const shape = error as ErrorShape & {
    meta?: { driverAdapterError?: { cause?: { message?: unknown } } };
  };
  const adapter = shape.meta?.driverAdapterError?.cause;
  if (adapter) {
    if (typeof adapter.message === 'string') return adapter.message;
    if (adapter.kind === 'DatabaseNotReachable') return 'the server cannot be reached';
    if (typeof adapter.kind === 'string') return adapter.kind;
  }
  const message = typeof shape.message === 'string' ? shape.message.trim() : String(error);
  // Prisma prefixes the call site ("Invalid `db.task.update()` invocation in …"): keep the end.
  return message.split('\n').filter(Boolean).at(-1) ?? message;
}
