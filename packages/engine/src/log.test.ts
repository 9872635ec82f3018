import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from './log';

function collect(level: LogLevel, service: 'web' | 'worker' = 'worker') {
  const lines: { line: Record<string, unknown>; level: LogLevel; raw: string }[] = [];
  const logger = createLogger({
    service,
    level,
    now: () => new Date('2026-01-02T03:04:05.678Z'),
    write: (raw, lineLevel) => lines.push({ raw, level: lineLevel, line: JSON.parse(raw) }),
  });
  return { logger, lines };
}

describe('structured log lines', () => {
  it('writes time, level, service and message first, then worker and task ids, then fields', () => {
    const { logger, lines } = collect('info');
    logger.child({ workerId: 'w-1' }).info('task run started', { taskId: 't-1', attempt: 2 });
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]!.line)).toEqual([
      'time',
      'level',
      'service',
      'message',
      'workerId',
      'taskId',
      'attempt',
    ]);
    expect(lines[0]!.line).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      level: 'info',
      service: 'worker',
      message: 'task run started',
      workerId: 'w-1',
      taskId: 't-1',
      attempt: 2,
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = collect('warn', 'web');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((entry) => [entry.level, entry.line.message])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
    expect(lines[0]!.line.service).toBe('web');
  });

  it('never writes a secret-named field or a password inside a URL', () => {
    const { logger, lines } = collect('debug');
    logger.info('connecting to postgresql://tide:hunter2@db:5432/x', {
      password: 'hunter2',
      sourcePassword: 'hunter2',
      apiToken: 'tw_hunter2',
      authorization: 'Bearer hunter2',
      nested: { secretKey: 'hunter2', url: 'redis://:hunter2@cache:6379' },
      error: new Error('auth failed for mysql://root:hunter2@src:3306'),
    });
    expect(lines[0]!.raw).not.toContain('hunter2');
    expect(lines[0]!.line.message).toBe('connecting to postgresql://tide:***@db:5432/x');
    expect(lines[0]!.line.password).toBe('[redacted]');
    expect(lines[0]!.line.nested).toEqual({
      secretKey: '[redacted]',
      url: 'redis://:***@cache:6379',
    });
  });

  it('keeps the shape when a field is named like one of its keys', () => {
    const { logger, lines } = collect('info');
    logger.info('m', { level: 'x', message: 'y' });
    expect(lines[0]!.line).toMatchObject({ level: 'info', message: 'm', field_level: 'x' });
  });
});
