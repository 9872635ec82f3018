import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic as createKafkaTopic } from '@tidewater/kafka-sink';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import { startPrivateBroker, type PrivateBroker } from '@tidewater/test-kit/stack';
import {
  createOrdersDatabase,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  waitUntil,
} from './fixtures';

/**
 * Kafka goes away: for less than the retry window the task retries (visibly) and goes on with
 * nothing lost; for longer it fails with the reason. The broker is a private one this file
 * owns, so the shared broker other tests use never stops. A "minute" of the retry window is
 * one second here (runner tuning), so the 10-minute minimum window is 10 s.
 */

let context: EngineContext;
let broker: PrivateBroker;
let database: string;

beforeAll(async () => {
  context = await engineForTests();
  broker = await startPrivateBroker();
  database = await createOrdersDatabase(50);
}, 120_000);

afterAll(async () => {
  await broker?.dispose();
  if (database) await dropDatabase(database);
  await context?.close();
});

describe('Kafka outages', () => {
  it('retries through a short outage, then fails after the retry window', async () => {
    const [host, port] = broker.brokers[0]!.split(':');
    const topic = `tw-retry-${Date.now()}`;
    const destination = {
      hosts: host!,
      port: Number(port),
      topic,
      encryption: 'none' as const,
      tls: { enabled: false, rejectUnauthorized: true },
    };
    await createKafkaTopic(destination, { topic, partitions: 1 });
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination,
      format: 'canal-json',
      objects: [{ kind: 'table', database, table: 'orders' }],
      advanced: { retryMinutes: 10 },
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const controller = new AbortController();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: () => undefined,
      tuning: { minuteMs: 1_000, retryInitialMs: 300, retryMaxMs: 1_000 },
    });
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      60_000,
    );
    const writer = await sourceConnection(database);
    const fold = () =>
      foldTopic(topic, 'canal-json', { timeoutMs: 10_000, brokers: broker.brokers });

    await broker.stop();
    await writer.query(
      "INSERT INTO orders VALUES (501, 1, 'during outage', 1.50, '2025-01-01 00:00:00.000')",
    );
    await waitUntil(
      'the task to report retrying',
      async () => (await context.runs.readRunState(task.id)).lastError !== null,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await broker.start();
    await waitUntil(
      'the write made during the outage to arrive',
      async () => (await fold()).rows.has('501'),
      60_000,
    );
    const events = await context.tasks.listEvents(task.id);
    expect(events.some((event) => event.kind === 'retrying')).toBe(true);
    expect((await context.tasks.getTask(task.id)).status).toBe('running');

    // Longer than the window: the task fails and says why.
    await broker.stop();
    await writer.query(
      "INSERT INTO orders VALUES (502, 1, 'outage too long', 1.50, '2025-01-01 00:00:00.000')",
    );
    const outcome = await run;
    await writer.end();
    expect(outcome?.kind).toBe('failed');
    const failed = await context.tasks.getTask(task.id);
    expect(failed.status).toBe('failed');
    expect(failed.statusReason).toMatch(/RETRY_WINDOW_EXCEEDED/);
    expect(failed.statusReason).toMatch(/10 minute/);
    await broker.start();
  }, 180_000);
});
