import type { z } from 'zod';
import { TidewaterError } from '@tidewater/errors';

export interface FieldProblem {
  /** Dotted path of the field, e.g. `source.port`; `""` for the whole body. */
  path: string;
  message: string;
}

/** A zod failure as the one error type, with one problem per field for forms to show inline. */
export function invalidInput(error: z.ZodError): TidewaterError {
  const problems: FieldProblem[] = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    // zod reports a missing field as an invalid type that "received undefined".
    message:
      issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
        ? 'This field is required.'
        : issue.message,
  }));
  const first = problems[0];
  return new TidewaterError(
    'INVALID_INPUT',
    first
      ? `${first.path ? `${first.path}: ` : ''}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`
      : 'The request is not valid.',
    {
      category: 'invalid_input',
      remedy: 'Correct the fields listed in details.problems and send the request again.',
      details: { problems },
    },
  );
}
