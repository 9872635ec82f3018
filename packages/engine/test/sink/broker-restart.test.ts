/**
 * The broker stopped and restarted while deliveries are in flight: every delivery resolves
 * after the restart, and the topic holds every update of every key exactly once, in order.
 *
 * The broker restarted is a private one this file starts (see `private-broker.ts`), not the
 * stack's shared broker: other test files run at the same time against that one and would
 * see the outage as failures of their own.
 */
import type { ChangeEvent, TableSchema } from '@tidewater/change-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDeliveryReport } from '../../src/pipeline/sink';
import { openEventSink } from '../../src/pipeline/sink';
import { partitionOf } from '../../src/pipeline/partition-policy';
import { createTopic } from '@tidewater/kafka-sink';
import { testColumn } from '@tidewater/change-events/testing';
import { sleep, uniqueTopic } from '@tidewater/test-kit';
import {
  plainDestination,
  readTopic,
  startPrivateBroker,
  type PrivateBroker,
} from '@tidewater/test-kit/stack';

let broker: PrivateBroker;

beforeAll(async () => {
  broker = await startPrivateBroker();
}, 180_000);

afterAll(async () => {
  await broker?.dispose();
}, 60_000);

const counters: TableSchema = {
  database: 'shop',
  table: 'counters',
  columns: [
    testColumn('id', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
    testColumn('n', 'integer', 'int', 'int(11)', { precision: 4 }),
  ],
  primaryKey: ['id'],
  uniqueKeys: {},
};

const KEYS = 12;
const PARTITIONS = 3;

function round(n: number): ChangeEvent[] {
  return Array.from({ length: KEYS }, (_, id) => ({
    kind: 'update' as const,
    schema: counters,
    rows: [{ before: [String(id), String(n - 1)], after: [String(id), String(n)] }],
    timestamp: Date.now(),
    position: null,
    gtid: null,
    serverId: 1,
  }));
}

describe('broker restart mid-stream', () => {
  it('retries through a broker restart and loses or reorders nothing', async () => {
    const topic = uniqueTopic('restart');
    const destination = plainDestination(topic, { hosts: broker.brokers.join(',') });
    await createTopic(destination, { topic, partitions: PARTITIONS });
    const sink = await openEventSink({
      destination,
      format: 'canal-json',
      partitionPolicy: 'hash-primary-key',
      source: { version: '8.0.36', timeZone: 'UTC' },
    });
    const deliveries: Array<Promise<EventDeliveryReport>> = [];
    let rounds = 0;
    let isProducing = true;
    let slowest = 0;
    // Keeps up to 8 deliveries in flight, a round of all keys each, until told to stop.
    const producing = (async () => {
      while (isProducing) {
        rounds += 1;
        const started = Date.now();
        deliveries.push(
          sink.deliver(round(rounds)).then((report) => {
            slowest = Math.max(slowest, Date.now() - started);
            return report;
          }),
        );
        if (deliveries.length >= 8) await deliveries[deliveries.length - 8];
        await sleep(20);
      }
    })();
    try {
      await sleep(1_000);
      const roundsBeforeStop = rounds;
      await broker.stop();
      await sleep(1_000);
      await broker.start();
      // Go on until deliveries made after the restart are acknowledged too.
      const afterRestart = rounds;
      while (rounds < afterRestart + 20) await sleep(50);
      isProducing = false;
      await producing;
      const reports = await Promise.all(deliveries);
      expect(roundsBeforeStop).toBeGreaterThan(0);
      expect(reports.every((r) => r.messages === KEYS)).toBe(true);
      // Some delivery waited out the outage: the retries, not luck, carried it.
      expect(slowest).toBeGreaterThan(1_000);
    } finally {
      isProducing = false;
      await sink.close();
    }

    const read = await readTopic(topic, rounds * KEYS, 60_000, broker.brokers);
    const byKey = new Map<string, number[]>();
    for (const message of read) {
      const row = JSON.parse(message.value.toString()).data[0];
      expect(message.partition).toBe(partitionOf(message.key!, PARTITIONS));
      byKey.set(row.id, [...(byKey.get(row.id) ?? []), Number(row.n)]);
    }
    const everyRound = Array.from({ length: rounds }, (_, i) => i + 1);
    for (let id = 0; id < KEYS; id++) expect(byKey.get(String(id))).toEqual(everyRound);
  }, 240_000);
});
