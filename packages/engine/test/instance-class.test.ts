import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceClassCeilings } from '@tidewater/config';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  BROKERS,
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
  uniqueName,
  waitUntil,
} from './fixtures';

/**
 * The instance class ceiling: a "small" task (2,000 records/s; a row change, a DDL or a COMMIT
 * each count as one) streams a burst of 10,000 row updates in 10 transactions no faster than
 * the ceiling allows (one second of records may pass at once), measured by when the messages
 * arrive at a live consumer.
 */

let context: EngineContext;
let database: string;

beforeAll(async () => {
  context = await engineForTests();
  database = await createOrdersDatabase(10_000);
});

afterAll(async () => {
  if (database) await dropDatabase(database);
  await context?.close();
});

/**
 * A live consumer that notes when each UPDATE message arrives (the sink stamps messages with
 * the source's event time, so broker timestamps would not show the pacing).
 */
async function watchArrivals(topic: string) {
  const kafka = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('tw-class'), maxWaitTimeInMs: 50 });
  const times: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let isRunning = false;
  consumer.on(consumer.events.FETCH_START, () => {
    isRunning = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const body = JSON.parse(message.value!.toString('utf8')) as { type: string };
      if (body.type === 'UPDATE') times.push(Date.now());
    },
  });
  await waitUntil('the consumer to fetch', async () => isRunning);
  return {
    times,
    /** Forgets what arrived so far (the marker that proved the consumer live). */
    reset() {
      times.length = 0;
    },
    async until(expected: number) {
      await waitUntil(`${expected} update messages`, async () => times.length >= expected, 60_000);
      await consumer.disconnect();
      return times;
    },
  };
}

describe('instance class', () => {
  it('keeps incremental migration under the class ceiling', async () => {
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      // One message per row, so message timestamps count rows.
      partitionPolicy: 'hash-primary-key',
      stages: { schema: false, full: false, incremental: true },
      objects: [{ kind: 'table', database, table: 'orders' }],
      instanceClass: 'small',
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const controller = new AbortController();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: () => undefined,
    });
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
    );
    await waitUntil(
      'the stream position',
      async () => (await context.runs.readCheckpoint(task.id))?.snapshot != null,
    );

    const arrivals = await watchArrivals(topic);
    const writer = await sourceConnection(database);
    // A marker first: once it arrives, the consumer is surely live, so arrival times measure
    // the task's pace and not the consumer group joining late.
    await writer.query('UPDATE orders SET note = ? WHERE id = 1', ['marker']);
    await waitUntil('the marker to arrive', async () => arrivals.times.length > 0, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    arrivals.reset();
    for (let transaction = 0; transaction < 10; transaction++) {
      await writer.query('UPDATE orders SET qty = qty + 1 WHERE id BETWEEN ? AND ?', [
        transaction * 1000 + 1,
        transaction * 1000 + 1000,
      ]);
    }
    await writer.end();
    const times = await arrivals.until(10_000);
    controller.abort('stop');
    await run;

    const ceiling = instanceClassCeilings.small!;
    const records = 10_000 + 10;
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    // The bucket lets one second of records through at once; the rest waits for tokens.
    const fastestAllowed = (records - ceiling) / ceiling;
    // 15% for the consumer's fetch timing; an unlimited task takes about a quarter of this.
    expect(seconds).toBeGreaterThanOrEqual(fastestAllowed * 0.85);
    const rateAfterBurst = (records - ceiling) / seconds;
    expect(rateAfterBurst).toBeLessThanOrEqual(ceiling * 1.15);
    console.info(
      `instance class small: ${records} records in ${seconds.toFixed(2)} s (${Math.round(records / seconds)} records/s overall)`,
    );
  }, 120_000);
});
