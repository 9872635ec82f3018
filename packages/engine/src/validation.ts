import type { z } from 'zod';
import type { FieldProblem } from '@tidewater/config/api';
import { TidewaterError } from '@tidewater/errors';

export type { FieldProblem };

export const UNKNOWN_FIELD_MESSAGE = 'Unknown field: there is no setting by this name here.';

/**
 * A zod failure as the one error type, with one problem per field for forms to show inline.
 * Unknown fields (the schemas are strict) come first, one problem each, all named in the
 * message: a misspelt field is usually why a required one is missing.
 */
export function invalidInput(error: z.ZodError): TidewaterError {
  const unknown: FieldProblem[] = [];
  const others: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        unknown.push({ path: [...path, key].join('.'), message: UNKNOWN_FIELD_MESSAGE });
      }
      continue;
    }
    others.push({
      path: path.join('.'),
      // zod reports a missing field as an invalid type that "received undefined".
      message:
        issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
          ? 'This field is required.'
          : issue.message,
    });
  }
  const problems = [...unknown, ...others];
  return new TidewaterError('INVALID_INPUT', summary(unknown, others), {
    category: 'invalid_input',
    remedy:
      unknown.length > 0
        ? 'Remove or correct the unknown fields (check their spelling and nesting), and correct any other fields listed in details.problems.'
        : 'Correct the fields listed in details.problems and send the request again.',
    details: { problems },
  });
}

function summary(unknown: FieldProblem[], others: FieldProblem[]): string {
  if (unknown.length > 0) {
    const names = unknown.map((problem) => problem.path).join(', ');
    const rest =
      others.length === 0
        ? ''
        : ` (and ${others.length} more problem${others.length > 1 ? 's' : ''})`;
    return `Unknown field${unknown.length > 1 ? 's' : ''}: ${names}${rest}.`;
  }
  const first = others[0];
  if (!first) return 'The request is not valid.';
  const more = others.length > 1 ? ` (and ${others.length - 1} more)` : '';
  return `${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

/** The body of a request whose fields are all optional: a JSON object, or a clear 400. */
export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TidewaterError('INVALID_INPUT', 'The request body must be a JSON object.', {
      category: 'invalid_input',
      remedy: `Send ${what} as a JSON object.`,
      details: { problems: [{ path: '', message: 'Send a JSON object.' }] },
    });
  }
  return body as Record<string, unknown>;
}
