import type { InsertEvent, TableSchema } from '@tidewater/change-events';
import type { DataFormat } from '@tidewater/config';
import { stackEndpoints } from '@tidewater/stack';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventSink } from '../../src/pipeline/sink';
import { scanTopicForTables } from '../../src/pipeline/topic-names';
import { testColumn } from '@tidewater/change-events/testing';
import { dropTopics, makeTopic, plainDestination } from '@tidewater/test-kit/stack';

afterAll(dropTopics);

const table = (name: string): TableSchema => ({
  database: 'shop',
  table: name,
  columns: [testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 })],
  primaryKey: ['id'],
  uniqueKeys: {},
});

const insert = (schema: TableSchema, id: number): InsertEvent => ({
  kind: 'insert',
  schema,
  rows: [[String(id)]],
  timestamp: 1714530030000,
  position: null,
  gtid: null,
  serverId: 1,
});

async function fill(format: DataFormat, withRegistry = false): Promise<string> {
  const topic = await makeTopic(`scan-${format}`, 3);
  const sink = await openEventSink({
    destination: plainDestination(topic, {
      schemaRegistry: withRegistry
        ? { enabled: true, url: stackEndpoints.registry.url }
        : { enabled: false },
    }),
    format,
    partitionPolicy: 'hash-primary-key',
    source: { version: '8.0.36', timeZone: 'UTC' },
  });
  try {
    const orders = table('orders');
    await sink.deliver(Array.from({ length: 30 }, (_, i) => insert(orders, i)));
    await sink.deliver([insert(table('late'), 1)]);
  } finally {
    await sink.close();
  }
  return topic;
}

const wanted = [
  { database: 'shop', table: 'orders' },
  { database: 'shop', table: 'items' },
];

describe('conflicting tables precheck', () => {
  it.each([
    ['canal-json', false],
    ['dts-avro', false],
    ['dts-avro', true],
  ] as const)(
    'finds the tables a %s topic holds messages for (registry: %s)',
    async (format, registry) => {
      const topic = await fill(format, registry);
      const result = await scanTopicForTables(plainDestination(topic), {
        topic,
        format,
        tables: wanted,
      });
      expect(result.found).toEqual([{ database: 'shop', table: 'orders' }]);
      expect(result).toMatchObject({ scannedMessages: 31, isComplete: true });
      const late = await scanTopicForTables(plainDestination(topic), {
        topic,
        format,
        tables: [{ database: 'shop', table: 'late' }],
      });
      expect(late.found).toHaveLength(1);
    },
  );

  it('reads only the latest messages of each partition', async () => {
    const topic = await fill('canal-json');
    const result = await scanTopicForTables(plainDestination(topic), {
      topic,
      format: 'canal-json',
      tables: [{ database: 'shop', table: 'late' }],
      messagesPerPartition: 2,
    });
    expect(result.scannedMessages).toBeLessThanOrEqual(6);
    expect(result.found).toEqual([{ database: 'shop', table: 'late' }]);
  });

  it('answers at once for an empty topic', async () => {
    const topic = await makeTopic('scan-empty', 2);
    await expect(
      scanTopicForTables(plainDestination(topic), { topic, format: 'canal-json', tables: wanted }),
    ).resolves.toEqual({ found: [], scannedMessages: 0, isComplete: true });
  });
});
