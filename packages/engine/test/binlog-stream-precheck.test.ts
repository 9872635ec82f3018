import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskConfigInput } from '@tidewater/config';
import {
  createTask,
  getPrecheck,
  runPrecheck,
  runPrecheckJob,
  type EngineContext,
} from '../src/index';
import { createOrdersDatabase, createTopic, dropDatabase, engineForTests } from './fixtures';

/**
 * A task that follows a PolarDB-X 2.0 binlog stream checks the stream before it starts. The
 * test source is MariaDB, which has no streams: declared as PolarDB-X 2.0 (the version item
 * warns about that), the stream item fails with the reason and the remedy, and no binlog
 * position is read from the wrong binlog.
 */

let context: EngineContext;
let database: string;

beforeAll(async () => {
  context = await engineForTests();
  database = await createOrdersDatabase(3);
});

afterAll(async () => {
  await dropDatabase(database);
  await context?.close();
});

async function precheck(config: TaskConfigInput) {
  const task = await createTask(context, config);
  await runPrecheck(context, task.id);
  await runPrecheckJob(context, task.id);
  const report = await getPrecheck(context, task.id);
  return new Map(report.items.map((item) => [item.key, item]));
}

const source = { host: '127.0.0.1', port: 3307, user: 'root', password: '' };

describe('source.binlog_stream precheck item', () => {
  it('fails on a server without binlog streams, naming the stream and the remedy', async () => {
    const topic = await createTopic(1);
    const byKey = await precheck({
      source: { ...source, type: 'polardbx2', binlogStream: 'group1_stream_0' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      objects: [{ kind: 'table', database, table: 'orders' }],
    });
    expect(byKey.get('source.binlog_stream')).toMatchObject({
      name: 'Binlog stream',
      status: 'fail',
      isIgnorable: false,
      message: expect.stringContaining(
        '"group1_stream_0" names a stream of a PolarDB-X 2.0 multi-stream binlog',
      ),
      remedy: expect.stringContaining('Leave the binlog stream empty'),
    });
    expect(byKey.get('source.version')?.status).toBe('warning');
  });

  it('is not an item of a task that reads the single binlog', async () => {
    const topic = await createTopic(1);
    const byKey = await precheck({
      source: { ...source, type: 'mariadb' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      objects: [{ kind: 'table', database, table: 'orders' }],
    });
    expect(byKey.has('source.binlog_stream')).toBe(false);
    expect(byKey.get('source.log_bin')?.status).toBe('pass');
  });
});
