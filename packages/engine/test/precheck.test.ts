import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawaySource, type ThrowawaySource } from './throwaway-source';
import type { TaskConfigInput } from '@tidewater/config';
import {
  createTask,
  getPrecheck,
  ignorePrecheckItem,
  runPrecheck,
  runPrecheckJob,
  startTask,
  type EngineContext,
} from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
  uniqueName,
} from './fixtures';
import { Kafka, logLevel } from 'kafkajs';

/** Who starts the tests' tasks (the API passes the signed-in operator). */
const OPERATOR = { username: 'engine-test' };

/**
 * Each failing precheck item produced by a real misconfiguration, on the real stack: a source
 * logging STATEMENT binlogs (a throwaway MariaDB, so other tests keep their ROW binlog), an
 * account without replication privileges, a topic that does not exist, a wrong SCRAM password;
 * and an ignorable failure (conflicting table) that, once ignored, lets the task start.
 */

let context: EngineContext;
let database: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  context = await engineForTests();
  database = await createOrdersDatabase(10);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await dropDatabase(database);
  await context?.close();
});

async function precheck(config: TaskConfigInput) {
  const task = await createTask(context, config);
  await runPrecheck(context, task.id);
  await runPrecheckJob(context, task.id);
  const report = await getPrecheck(context, task.id);
  const status = (await context.tasks.getTask(task.id)).status;
  const byKey = new Map(report.items.map((item) => [item.key, item]));
  return { task, report, status, byKey };
}

const base = (topic: string, overrides: Partial<TaskConfigInput> = {}): TaskConfigInput => ({
  source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
  destination: { hosts: '127.0.0.1', port: 9092, topic },
  objects: [{ kind: 'table', database, table: 'orders' }],
  ...overrides,
});

describe('precheck', () => {
  it('passes every item on a well-configured source and destination', async () => {
    const topic = await createTopic(2);
    const { status, report, byKey } = await precheck(base(topic));
    expect(report.items.filter((item) => item.status === 'fail')).toEqual([]);
    expect(report.successRate).toBe(100);
    expect(status).toBe('precheck_passed');
    // The binlog features the stream decodes are checked too (MariaDB: log_bin_compress).
    expect(byKey.get('source.binlog_compression')).toMatchObject({
      status: 'pass',
      isIgnorable: false,
    });
    expect(byKey.get('source.binlog_row_value_options')?.status).toBe('pass');
  });

  it('fails the replication items for an account without replication privileges', async () => {
    const user = uniqueName('tw_norepl');
    const admin = await sourceConnection();
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'`);
    await admin.query(`GRANT SELECT ON \`${database}\`.* TO '${user}'@'%'`);
    await admin.end();
    cleanups.push(async () => {
      const connection = await sourceConnection();
      await connection.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await connection.end();
    });
    const topic = await createTopic(1);
    const { status, byKey } = await precheck(
      base(topic, {
        source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user, password: `pw-${user}` },
      }),
    );
    expect(status).toBe('precheck_failed');
    expect(byKey.get('source.replication_slave')?.status).toBe('fail');
    expect(byKey.get('source.replication_client')?.status).toBe('fail');
    expect(byKey.get('source.replication_slave')?.remedy).toMatch(/GRANT REPLICATION SLAVE/i);
    expect(byKey.get('source.select')?.status).toBe('pass');
  });

  it('fails the topic item when the topic does not exist, naming how to create it', async () => {
    const missing = uniqueName('tw-missing').replaceAll('_', '-');
    const { status, byKey } = await precheck(base(missing));
    expect(status).toBe('precheck_failed');
    const item = byKey.get(`destination.topic:${missing}`);
    expect(item?.status).toBe('fail');
    expect(item?.isIgnorable).toBe(false);
    expect(item?.remedy).toMatch(/Create it/);
  });

  it('fails destination connectivity with a wrong SCRAM password', async () => {
    const topic = await createTopic(1);
    const { status, byKey } = await precheck(
      base(topic, {
        destination: {
          hosts: '127.0.0.1',
          port: 9094,
          topic,
          encryption: 'scram-sha-256',
          user: 'tidewater',
          password: 'not-the-password',
        },
      }),
    );
    expect(status).toBe('precheck_failed');
    const item = byKey.get('destination.connectivity');
    expect(item?.status).toBe('fail');
    expect(item?.message).toMatch(/auth|password|SCRAM/i);
  });

  it('lets an operator ignore a conflicting table, after which the task starts', async () => {
    const topic = await createTopic(1);
    const kafka = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        {
          value: JSON.stringify({
            database,
            table: 'orders',
            type: 'INSERT',
            isDdl: false,
            data: [],
          }),
        },
      ],
    });
    await producer.disconnect();
    const { task, status, byKey } = await precheck(base(topic, { format: 'canal-json' }));
    expect(status).toBe('precheck_failed');
    const conflict = byKey.get('destination.conflicts');
    expect(conflict?.status).toBe('fail');
    expect(conflict?.isIgnorable).toBe(true);
    await expect(
      startTask(context, task.id, { instanceClass: 'small', acceptTerms: true }, OPERATOR),
    ).rejects.toThrow(/success rate/);
    const report = await ignorePrecheckItem(context, task.id, 'destination.conflicts', {});
    expect(report.successRate).toBe(100);
    expect((await context.tasks.getTask(task.id)).status).toBe('precheck_passed');
    const started = await startTask(
      context,
      task.id,
      { instanceClass: 'small', acceptTerms: true },
      OPERATOR,
    );
    expect(started.status).toBe('running');
    await context.runs.compareAndSetStatus(task.id, ['running'], 'paused');
    await expect(
      ignorePrecheckItem(context, task.id, 'destination.topic:' + topic, {}),
    ).rejects.toThrow();
  });
});

describe('precheck against a source logging STATEMENT binlogs', () => {
  let source: ThrowawaySource;
  let port: number;

  beforeAll(async () => {
    source = await startThrowawaySource('precheck-statement');
    port = source.port;
    await source.exec("SET GLOBAL binlog_format = 'STATEMENT'");
    await source.exec('CREATE DATABASE statement_db');
    await source.exec('CREATE TABLE statement_db.t (id INT PRIMARY KEY)');
  }, 120_000);

  afterAll(async () => {
    await source?.dispose();
  });

  it('fails binlog_format with the statement that fixes it', async () => {
    const topic = await createTopic(1);
    const { status, byKey } = await precheck({
      source: { type: 'mariadb', host: '127.0.0.1', port, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      objects: [{ kind: 'table', database: 'statement_db', table: 't' }],
    });
    expect(status).toBe('precheck_failed');
    const item = byKey.get('source.binlog_format');
    expect(item?.status).toBe('fail');
    expect(item?.message).toMatch(/STATEMENT/);
    expect(item?.remedy).toMatch(/ROW/);
    expect(item?.isIgnorable).toBe(false);
  });
});
