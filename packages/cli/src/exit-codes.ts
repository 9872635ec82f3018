import type { ErrorCategory, TidewaterError } from '@tidewater/errors';

/**
 * The CLI's exit codes, in this one place. An error's category decides its code, whether the
 * error came from the API (its HTTP status names the category) or from the CLI itself.
 */
export const EXIT_CODES = {
  ok: 0,
  /** Anything else: an unexpected answer, a bug, a failed task under `status --watch`. */
  other: 1,
  /** The command line, a file, or a request body is wrong: fix the input. */
  invalidInput: 2,
  /** The task (or another named thing) does not exist. */
  notFound: 3,
  /** Not allowed in the task's current state (e.g. starting before the precheck passed). */
  conflict: 4,
  /** No token, a wrong or revoked token, or a refused request. */
  unauthorized: 5,
  /** The API (or a server behind it) could not be reached; worth retrying later. */
  unavailable: 6,
  /** `precheck --wait` finished below a 100% success rate. */
  precheckNotPassed: 7,
  /** Interrupted with Ctrl-C before the command finished. */
  interrupted: 130,
} as const;

export function exitCodeFor(error: TidewaterError): number {
  if (error.code === INTERRUPTED) return EXIT_CODES.interrupted;
  return exitCodeForCategory(error.category);
}

/** The code of the error a command ends with when Ctrl-C stops it. */
export const INTERRUPTED = 'INTERRUPTED';

export function exitCodeForCategory(category: ErrorCategory): number {
  switch (category) {
    case 'invalid_input':
      return EXIT_CODES.invalidInput;
    // The source or destination is configured in a way Tidewater cannot work with: like an
    // invalid input, the operator changes the configuration.
    case 'unsupported':
      return EXIT_CODES.invalidInput;
    case 'not_found':
      return EXIT_CODES.notFound;
    case 'conflict':
      return EXIT_CODES.conflict;
    case 'unauthorized':
      return EXIT_CODES.unauthorized;
    case 'unavailable':
      return EXIT_CODES.unavailable;
    case 'internal':
      return EXIT_CODES.other;
  }
}

/**
 * The category of an API error from its HTTP status: the inverse of the web app's
 * category-to-status table (400, 401, 403, 404, 409, 422, 429, 503, 500).
 */
export function categoryForStatus(status: number): ErrorCategory {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 422) return 'unsupported';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status >= 400 && status < 500) return 'invalid_input';
  return 'internal';
}
