import type { InsertEvent } from '@tidewater/change-events';
import { afterAll, describe, expect, it } from 'vitest';
import { isTidewaterError } from '@tidewater/errors';
import { openEventSink } from '../../src/pipeline/sink';
import { testColumn } from '@tidewater/change-events/testing';
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';

afterAll(dropTopics);

const insert = (id: number): InsertEvent => ({
  kind: 'insert',
  schema: {
    database: 'shop',
    table: 'orders',
    columns: [testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 })],
    primaryKey: ['id'],
    uniqueKeys: {},
  },
  rows: [[String(id)]],
  timestamp: 1714530030000,
  position: { file: 'binlog.000001', pos: 100 + id, gtidSet: null },
  gtid: null,
  serverId: 1,
});

describe('openEventSink', () => {
  it('delivers Canal JSON that reads back from the topic', async () => {
    const topic = await makeTopic('basic');
    const sink = await openEventSink({
      destination: plainDestination(topic),
      format: 'canal-json',
      partitionPolicy: 'partition-zero',
      source: { version: '8.0.36', timeZone: 'UTC' },
    });
    try {
      const report = await sink.deliver([insert(1), insert(2)]);
      expect(report).toMatchObject({ events: 2, messages: 2, partitions: { [topic]: [0] } });
    } finally {
      await sink.close();
    }
    const read = await readTopic(topic, 2);
    expect(read.map((m) => JSON.parse(m.value.toString()).data[0].id)).toEqual(['1', '2']);
    expect(read.map((m) => m.key)).toEqual(['shop.orders', 'shop.orders']);
  });

  it.each(['gzip', 'snappy'] as const)(
    'delivers %s-compressed batches that read back',
    async (compression) => {
      const topic = await makeTopic(`compressed-${compression}`);
      const sink = await openEventSink({
        destination: plainDestination(topic),
        format: 'dts-avro',
        partitionPolicy: 'partition-zero',
        source: { version: '8.0.36', timeZone: 'UTC' },
        compression,
      });
      try {
        await sink.deliver(Array.from({ length: 50 }, (_, i) => insert(i)));
      } finally {
        await sink.close();
      }
      expect(await readTopic(topic, 50)).toHaveLength(50);
    },
  );

  it('closes at once when told to discard pending deliveries, which reject as SINK_CLOSED', async () => {
    const topic = await makeTopic('discard');
    const sink = await openEventSink({
      destination: plainDestination(topic),
      format: 'canal-json',
      partitionPolicy: 'partition-zero',
      source: { version: '8.0.36', timeZone: 'UTC' },
      limits: { maxRequestBytes: 4096 },
    });
    const outcomes = Array.from({ length: 20 }, (_, i) =>
      sink.deliver(Array.from({ length: 100 }, (_, j) => insert(i * 100 + j))).then(
        () => 'delivered',
        (error: unknown) => (isTidewaterError(error) ? error.code : 'other'),
      ),
    );
    await sink.close({ discardPending: true });
    const settled = await Promise.all(outcomes);
    expect(settled).toContain('SINK_CLOSED');
    // Whatever was delivered came first: no delivery resolved after one was discarded.
    const firstDiscarded = settled.indexOf('SINK_CLOSED');
    expect(settled.slice(firstDiscarded).every((outcome) => outcome === 'SINK_CLOSED')).toBe(true);
    await expect(sink.deliver([insert(1)])).rejects.toMatchObject({ code: 'SINK_CLOSED' });
  });
});
