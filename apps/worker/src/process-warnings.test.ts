import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '@tidewater/engine';
import { logProcessWarnings } from './process-warnings';

describe('logProcessWarnings', () => {
  let saved: Array<(warning: Error) => void>;
  beforeEach(() => {
    saved = process.listeners('warning');
  });
  afterEach(() => {
    process.removeAllListeners('warning');
    for (const listener of saved) process.on('warning', listener);
  });

  it('writes process warnings as JSON log lines, the negative-timeout one at debug', async () => {
    const lines: Array<{ level: LogLevel; line: Record<string, unknown> }> = [];
    const log = createLogger({
      service: 'worker',
      level: 'debug',
      write: (line, level) =>
        lines.push({ level, line: JSON.parse(line) as Record<string, unknown> }),
    });
    logProcessWarnings(log);
    expect(process.listenerCount('warning')).toBe(1);

    process.emitWarning('old API', { type: 'DeprecationWarning', code: 'DEP0999' });
    // What kafkajs does on Node 24: a negative delay.
    setTimeout(() => undefined, -5);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(lines).toEqual([
      {
        level: 'warn',
        line: expect.objectContaining({
          level: 'warn',
          service: 'worker',
          message: 'process warning: old API',
          warning: 'DeprecationWarning',
          code: 'DEP0999',
        }),
      },
      {
        level: 'debug',
        line: expect.objectContaining({
          level: 'debug',
          message: expect.stringMatching(/^process warning: -5 is a negative number/),
          warning: 'TimeoutNegativeWarning',
        }),
      },
    ]);
  });
});
