import { useState } from 'react';
import type { z } from 'zod';
import { issuesByPath } from '@/lib/form-errors';

/** Messages keyed by a field's path in the configuration (`source.port`). */
export type FieldErrors = Record<string, string>;

/** zod issues of a sub-schema, keyed by the full path (`source.port`). */
export function prefixedIssues(prefix: string, error: z.ZodError): FieldErrors {
  const byPath: FieldErrors = {};
  for (const [path, message] of Object.entries(issuesByPath(error))) {
    byPath[path ? `${prefix}.${path}` : prefix] = message;
  }
  return byPath;
}

/**
 * Inline validation: a field shows its client-side error once it was left (blurred) or the
 * step was submitted, and the server's error until the operator edits that field.
 */
export function useInlineErrors(clientErrors: FieldErrors, serverErrors: FieldErrors) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const [isSubmitted, setSubmitted] = useState(false);
  return {
    errorOf(path: string): string | undefined {
      const client = touched.has(path) || isSubmitted ? clientErrors[path] : undefined;
      return client ?? (edited.has(path) ? undefined : serverErrors[path]);
    },
    touch(path: string) {
      setTouched((current) => (current.has(path) ? current : new Set([...current, path])));
    },
    edit(path: string) {
      setEdited((current) => (current.has(path) ? current : new Set([...current, path])));
    },
    /** Marks the step submitted; returns whether it has no client-side errors. */
    submit(): boolean {
      setSubmitted(true);
      setEdited(new Set());
      return Object.keys(clientErrors).length === 0;
    },
  };
}
