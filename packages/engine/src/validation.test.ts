import { describe, expect, it } from 'vitest';
import { taskConfigSchema } from '@tidewater/config';
import { invalidInput } from './validation';

describe('invalid input', () => {
  it('says "required" for a missing field and keeps the schema message for a wrong one', () => {
    const result = taskConfigSchema.safeParse({
      source: { type: 'mariadb', port: 99999, user: 'u', tls: 'yes' },
      destination: { hosts: 'k', topic: 't' },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    const problems = invalidInput(result.error).details.problems as Array<{
      path: string;
      message: string;
    }>;
    const byPath = new Map(problems.map((problem) => [problem.path, problem.message]));
    expect(byPath.get('source.host')).toBe('This field is required.');
    expect(byPath.get('source.port')).toBe('A port is between 1 and 65535.');
    expect(byPath.get('source.tls')).not.toBe('This field is required.');
  });
});
