import type { z } from 'zod';

/** zod issues by dotted path (`source.port`), the first message per field. */
export function issuesByPath(error: z.ZodError): Record<string, string> {
  const byPath: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    byPath[path] ??=
      issue.code === 'invalid_type' && issue.input === undefined
        ? 'This field is required.'
        : issue.message;
  }
  return byPath;
}
