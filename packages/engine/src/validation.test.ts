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

describe('unknown fields', () => {
  it('names every unknown field, nested ones with their path, before the other problems', () => {
    const result = taskConfigSchema.safeParse({
      source: { type: 'mariadb', host: 'db', user: 'u', sslMode: 'REQUIRED' },
      destination: { hots: 'k', topic: 't' },
      objects: [{ kind: 'table', database: 'd', table: 't', where: 'id = 1' }],
      colour: 'blue',
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    const error = invalidInput(result.error);
    const problems = error.details.problems as Array<{ path: string; message: string }>;
    expect(problems.map((problem) => problem.path)).toEqual([
      'source.sslMode',
      'destination.hots',
      'objects.0.where',
      'colour',
      'destination.hosts',
    ]);
    expect(problems[0]?.message).toMatch(/^Unknown field/);
    expect(problems[4]?.message).toBe('This field is required.');
    expect(error.message).toBe(
      'Unknown fields: source.sslMode, destination.hots, objects.0.where, colour (and 1 more problem).',
    );
  });
});
