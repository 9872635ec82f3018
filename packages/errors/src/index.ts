/**
 * The one error type every package throws for conditions an operator can act on.
 *
 * `code` is stable (tests, the API and the CLI match on it), `message` says what is wrong in
 * the operator's words, `remedy` says how to fix it. The translation to an HTTP status, a CLI
 * exit code and a precheck item happens in one place each, keyed by the code's category.
 * Messages never carry passwords or row contents.
 */

export type ErrorCategory =
  /** The input (task configuration, request body, filter) is wrong: fix the input. */
  | 'invalid_input'
  /** Something named by the input does not exist. */
  | 'not_found'
  /** The operation is not allowed in the current state. */
  | 'conflict'
  /** Credentials or privileges are wrong. */
  | 'unauthorized'
  /** A server could not be reached or answered badly; usually worth retrying. */
  | 'unavailable'
  /** The source or destination is configured in a way we cannot work with. */
  | 'unsupported'
  /** A bug or an unexpected state: the message says what, the logs have the details. */
  | 'internal';

export interface TidewaterErrorOptions {
  remedy: string;
  category: ErrorCategory;
  /** Whether retrying the same operation later may succeed (connection loss, timeouts). */
  isRetryable?: boolean;
  /** Structured, non-secret details (table, key, topic) for the API body and the event log. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class TidewaterError extends Error {
  readonly code: string;
  readonly remedy: string;
  readonly category: ErrorCategory;
  readonly isRetryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: TidewaterErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TidewaterError';
    this.code = code;
    this.remedy = options.remedy;
    this.category = options.category;
    this.isRetryable = options.isRetryable ?? false;
    this.details = options.details ?? {};
  }

  /** The shape the API returns and the event log stores: no stack, no cause chain. */
  toJSON(): { code: string; message: string; remedy: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, remedy: this.remedy, details: this.details };
  }
}

export function isTidewaterError(error: unknown): error is TidewaterError {
  return error instanceof TidewaterError;
}

/**
 * Wraps anything thrown into a TidewaterError without losing it: known errors pass through,
 * the rest become INTERNAL with the original kept as `cause` for the logs.
 */
export function toTidewaterError(error: unknown): TidewaterError {
  if (isTidewaterError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TidewaterError('INTERNAL', `Unexpected error: ${message}`, {
    category: 'internal',
    remedy: 'Check the worker and web logs for details; report it if it repeats.',
    cause: error,
  });
}
