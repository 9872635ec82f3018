import { readFileSync } from 'node:fs';
import type { TaskConfigInput } from '@tidewater/config';
import { stackEndpoints } from '@tidewater/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTask,
  getPrecheck,
  runPrecheck,
  runPrecheckJob,
  runTaskJob,
  type EngineContext,
} from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  SOURCE,
  sourceRows,
  waitUntil,
} from './fixtures';

/**
 * A task's destination on each listener of the stack's broker that logs in another way than
 * PLAINTEXT (SASL/PLAIN, SCRAM-SHA-512, a client certificate, SCRAM over TLS): saved through the
 * task repository (the client key sealed and opened again), prechecked, and run until the
 * table is in the topic. The sink's own checks of each are in
 * `packages/kafka-sink/test/authentication.test.ts`.
 */

const OPERATOR_SOURCE = { type: 'mariadb' as const, ...SOURCE };
const kafka = stackEndpoints.kafka;
const login = { user: kafka.sasl.username, password: kafka.sasl.password };
const pem = (file: string) => readFileSync(file, 'utf8');
const ca = pem(kafka.tls.caFile);
const clientCert = pem(kafka.tls.clientCertFile);
const clientKey = pem(kafka.tls.clientKeyFile);

type Destination = Omit<NonNullable<TaskConfigInput['destination']>, 'topic'>;

const destinations: Record<string, Destination> = {
  'SASL/PLAIN': { hosts: kafka.saslBrokers.join(','), encryption: 'plain', ...login },
  'SASL/SCRAM-SHA-512': {
    hosts: kafka.saslBrokers.join(','),
    encryption: 'scram-sha-512',
    ...login,
  },
  'SSL with a client certificate': {
    hosts: kafka.sslBrokers.join(','),
    tls: { enabled: true, ca, clientCert, clientKey },
  },
  'SASL_SSL with SCRAM-SHA-256': {
    hosts: kafka.saslSslBrokers.join(','),
    encryption: 'scram-sha-256',
    ...login,
    tls: { enabled: true, ca },
  },
};

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

async function precheck(destination: Destination) {
  const topic = await createTopic(1);
  const task = await createTask(context, {
    source: OPERATOR_SOURCE,
    destination: { ...destination, topic },
    objects: [{ kind: 'table', database, table: 'orders' }],
  });
  await runPrecheck(context, task.id);
  await runPrecheckJob(context, task.id);
  const report = await getPrecheck(context, task.id);
  const status = (await context.tasks.getTask(task.id)).status;
  return { task, topic, status, items: report.items };
}

describe('destination precheck over each Kafka security setting', () => {
  it.each(Object.entries(destinations))(
    'passes the precheck and migrates a table over %s',
    async (_label, destination) => {
      const { task, topic, status, items } = await precheck(destination);
      expect(items.filter((item) => item.status !== 'pass')).toEqual([]);
      expect(items.map((item) => item.key)).toContain('destination.connectivity');
      expect(status).toBe('precheck_passed');

      // The run opens its producer with the settings read back from the task (key unsealed).
      await context.runs.compareAndSetStatus(task.id, ['precheck_passed'], 'running', {
        startedAt: new Date(),
      });
      const controller = new AbortController();
      const run = runTaskJob(context, task.id, {
        signal: controller.signal,
        workerId: 'test',
        log: () => undefined,
        tuning: { idleFlushMs: 5 },
      });
      const expected = await sourceRows(database);
      const folded = await waitUntil('the topic to hold the table', async () => {
        const result = await foldTopic(topic, 'dts-avro');
        return result.rows.size === expected.size ? result : undefined;
      });
      controller.abort('stop');
      expect((await run)?.kind).toBe('stopped');
      expect(folded.rows).toEqual(expected);
    },
  );

  it('never returns the client key, and says one is stored', async () => {
    const { task } = await precheck(destinations['SSL with a client certificate']!);
    const view = await context.tasks.getTask(task.id);
    expect(JSON.stringify(view)).not.toContain('PRIVATE KEY');
    expect(view.config.destination.tls).toMatchObject({
      clientCert: clientCert.trim(),
      hasClientKey: true,
    });
  });

  it.each([
    [
      'a wrong PLAIN password',
      { ...destinations['SASL/PLAIN']!, password: 'not-the-secret' },
      /rejected the login \(SASL_PLAINTEXT PLAIN as user/,
    ],
    [
      'no client certificate where the listener requires one',
      { hosts: kafka.sslBrokers.join(','), tls: { enabled: true, ca } },
      /requires a client certificate, and none was given/,
    ],
    [
      'a broker certificate from a CA the task does not trust',
      { ...destinations['SASL_SSL with SCRAM-SHA-256']!, tls: { enabled: true } },
      /is not trusted .*self-signed certificate/,
    ],
  ] as const)('fails destination connectivity for %s', async (_label, destination, message) => {
    const { status, items } = await precheck(destination);
    expect(status).toBe('precheck_failed');
    const connectivity = items.find((item) => item.key === 'destination.connectivity');
    expect(connectivity).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
    expect(connectivity?.message).not.toContain('not-the-secret');
  });
});
