import { describe, expect, it } from 'vitest';
import { TidewaterError, type ErrorCategory } from '@tidewater/errors';
import { categoryForStatus, EXIT_CODES, exitCodeFor, exitCodeForCategory } from './exit-codes';

describe('exit codes', () => {
  it('gives each error category its code', () => {
    const codes: Record<ErrorCategory, number> = {
      invalid_input: 2,
      unsupported: 2,
      not_found: 3,
      conflict: 4,
      unauthorized: 5,
      unavailable: 6,
      internal: 1,
    };
    for (const [category, code] of Object.entries(codes)) {
      expect(exitCodeForCategory(category as ErrorCategory), category).toBe(code);
    }
  });

  it('reads the category back from the API status the web app chose for it', () => {
    expect(categoryForStatus(400)).toBe('invalid_input');
    expect(categoryForStatus(401)).toBe('unauthorized');
    expect(categoryForStatus(403)).toBe('unauthorized');
    expect(categoryForStatus(404)).toBe('not_found');
    expect(categoryForStatus(409)).toBe('conflict');
    expect(categoryForStatus(422)).toBe('unsupported');
    expect(categoryForStatus(429)).toBe('unavailable');
    expect(categoryForStatus(503)).toBe('unavailable');
    expect(categoryForStatus(500)).toBe('internal');
    expect(categoryForStatus(413)).toBe('invalid_input');
  });

  it('ends an interrupted command with 130, like a shell', () => {
    const interrupted = new TidewaterError('INTERRUPTED', 'Interrupted.', {
      category: 'internal',
      remedy: '',
    });
    expect(exitCodeFor(interrupted)).toBe(EXIT_CODES.interrupted);
    expect(EXIT_CODES.interrupted).toBe(130);
  });
});
