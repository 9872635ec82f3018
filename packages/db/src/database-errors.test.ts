import { describe, expect, it } from 'vitest';
import { TidewaterError } from '@tidewater/errors';
import { translateDatabaseError, withDatabaseErrors } from './database-errors';

/**
 * The error shapes below are the ones Prisma's pg adapter and node-postgres gave against a
 * PostgreSQL stopped with `pg_ctl stop -m fast` (see control-db-restart.test.ts in the engine
 * for the real restart).
 */

function prismaError(code: string, cause: Record<string, unknown>, message = 'Invalid call') {
  return Object.assign(new Error(`\nInvalid \`db.task.findMany()\` invocation:\n\n${message}`), {
    name: 'PrismaClientKnownRequestError',
    code,
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause } },
  });
}

describe('translateDatabaseError', () => {
  it.each([
    [
      'an unreachable server (P1001)',
      prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
    ],
    [
      'a raw query on an unreachable server (P2010)',
      prismaError('P2010', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
    ],
    [
      'a connection ended by a fast shutdown (57P01)',
      prismaError('P2039', {
        kind: 'postgres',
        code: '57P01',
        originalCode: '57P01',
        message: 'terminating connection due to administrator command',
      }),
    ],
    [
      'a server still starting up (57P03)',
      prismaError('P2010', { kind: 'postgres', code: '57P03', message: 'starting up' }),
    ],
    ['a reset connection', prismaError('P2010', { kind: 'ConnectionClosed' })],
    [
      'a transaction whose connection died',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'a refused socket',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
  ])('makes %s a retryable CONTROL_DB_UNAVAILABLE', (_, error) => {
    const translated = translateDatabaseError(error);
    expect(translated).toBeInstanceOf(TidewaterError);
    const failure = translated as TidewaterError;
    expect(failure.code).toBe('CONTROL_DB_UNAVAILABLE');
    expect(failure.isRetryable).toBe(true);
    expect(failure.category).toBe('unavailable');
    expect(failure.message).not.toContain('Invalid `');
    expect(failure.cause).toBe(error);
  });

  it.each([
    [
      'a unique violation',
      prismaError('P2002', { kind: 'UniqueConstraintViolation', constraint: { fields: ['id'] } }),
    ],
    ['a missing record', Object.assign(new Error('No record'), { code: 'P2025' })],
    [
      'an error of ours',
      new TidewaterError('TASK_NOT_FOUND', 'No task.', { category: 'not_found', remedy: '-' }),
    ],
  ])('passes %s through unchanged', (_, error) => {
    expect(translateDatabaseError(error)).toBe(error);
  });
});

describe('withDatabaseErrors', () => {
  it('translates what every method throws and keeps `this` for calls between methods', async () => {
    const repository = withDatabaseErrors({
      async read(): Promise<number> {
        throw prismaError('P1001', { kind: 'DatabaseNotReachable' });
      },
      async readTwice(this: { read(): Promise<number> }): Promise<number> {
        return (await this.read()) * 2;
      },
    });
    await expect(repository.readTwice()).rejects.toMatchObject({
      code: 'CONTROL_DB_UNAVAILABLE',
      isRetryable: true,
    });
  });
});
