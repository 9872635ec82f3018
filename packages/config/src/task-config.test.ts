import { describe, expect, it } from 'vitest';
import { advancedSchema, taskConfigSchema } from './task-config';

const endpoints = {
  source: { type: 'mysql', host: 'db', user: 'u' },
  destination: { hosts: 'kafka', topic: 't' },
};

describe('advanced.canalJsonValues', () => {
  it("is Canal's values unless the task asks for the Flink values", () => {
    expect(taskConfigSchema.parse(endpoints).advanced.canalJsonValues).toBe('canal');
    expect(advancedSchema.parse({}).canalJsonValues).toBe('canal');
    const flink = taskConfigSchema.parse({
      ...endpoints,
      format: 'canal-json',
      advanced: { canalJsonValues: 'flink' },
    });
    expect(flink.advanced).toMatchObject({ canalJsonValues: 'flink', retryMinutes: 720 });
  });

  it('rejects any other value with a message naming the choices', () => {
    const result = advancedSchema.safeParse({ canalJsonValues: 'debezium' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['canalJsonValues'],
      message: 'Choose Canal or Flink values.',
    });
  });
});
