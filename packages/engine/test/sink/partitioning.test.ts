/**
 * Partition policies on a topic of several partitions and per-key order with many deliveries in
 * flight. (Renames and capitalization are the engine's transform: packages/engine/test/names.test.ts.)
 */
import type {
  ChangeEvent,
  DdlEvent,
  InsertEvent,
  TableSchema,
  UpdateEvent,
} from '@tidewater/change-events';
import type { PartitionPolicy } from '@tidewater/config';
import { decodeDtsAvro } from '@tidewater/formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventDeliveryReport } from '../../src/pipeline/sink';
import { openEventSink } from '../../src/pipeline/sink';
import { partitionOf } from '../../src/pipeline/partition-policy';
import { testColumn } from '@tidewater/change-events/testing';
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';

afterAll(dropTopics);

const PARTITIONS = 4;
const source = { version: '8.0.36', timeZone: 'UTC' };

function table(name: string, primaryKey: string[] = ['id']): TableSchema {
  return {
    database: 'shop',
    table: name,
    columns: [
      testColumn('id', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
      testColumn('v', 'integer', 'int', 'int(11)', { precision: 4 }),
    ],
    primaryKey,
    uniqueKeys: {},
  };
}

const orders = table('orders');
const items = table('items');
const logs = table('logs', []);

const base = { timestamp: 1714530030000, position: null, gtid: null, serverId: 1 };

function insert(schema: TableSchema, ids: number[]): InsertEvent {
  return { ...base, kind: 'insert', schema, rows: ids.map((id) => [String(id), '0']) };
}

function update(schema: TableSchema, id: number, v: number): UpdateEvent {
  return {
    ...base,
    kind: 'update',
    schema,
    rows: [{ before: [String(id), String(v - 1)], after: [String(id), String(v)] }],
  };
}

const alter: DdlEvent = {
  ...base,
  kind: 'ddl',
  database: 'shop',
  table: 'orders',
  ddlKind: 'ALTER',
  sql: 'ALTER TABLE orders ADD COLUMN w INT',
  isParsed: true,
};

async function deliverAll(
  policy: PartitionPolicy,
  events: ChangeEvent[],
  format: 'canal-json' | 'dts-avro' = 'canal-json',
): Promise<{ topic: string; report: EventDeliveryReport }> {
  const topic = await makeTopic(`policy-${policy}`, PARTITIONS);
  const sink = await openEventSink({
    destination: plainDestination(topic),
    format,
    partitionPolicy: policy,
    source,
  });
  try {
    return { topic, report: await sink.deliver(events) };
  } finally {
    await sink.close();
  }
}

const events = (): ChangeEvent[] => [
  insert(orders, [1, 2, 3, 4, 5, 6, 7, 8]),
  insert(items, [1, 2]),
  insert(logs, [1, 2, 3]),
  alter,
];

describe('partition policies', () => {
  it('ships everything to partition 0 under partition-zero', async () => {
    const { topic, report } = await deliverAll('partition-zero', events());
    expect(report).toMatchObject({ messages: 4, partitions: { [topic]: [0] } });
    const read = await readTopic(topic, 4);
    expect(read.map((m) => [m.partition, m.key])).toEqual([
      [0, 'shop.orders'],
      [0, 'shop.items'],
      [0, 'shop.logs'],
      [0, 'shop.orders'],
    ]);
  });

  it('keeps each table with its DDL on the partition of its name hash', async () => {
    const { topic } = await deliverAll('hash-database-table', events());
    const read = await readTopic(topic, 4);
    for (const message of read) {
      expect(message.partition).toBe(partitionOf(message.key!, PARTITIONS));
    }
    const ordersMessages = read.filter((m) => m.key === 'shop.orders');
    expect(ordersMessages.map((m) => JSON.parse(m.value.toString()).type)).toEqual([
      'INSERT',
      'ALTER',
    ]);
    // The pinned Java value for `shop.orders` on 4 partitions.
    expect(partitionOf('shop.orders', 4)).toBe(1);
    expect(ordersMessages[0]!.partition).toBe(1);
  });

  it('splits multi-row events per primary key, keyless tables and DDL to partition 0', async () => {
    const { topic, report } = await deliverAll('hash-primary-key', events());
    // 8 + 2 rows split per key, the keyless table's event whole, the DDL.
    expect(report.messages).toBe(12);
    const read = await readTopic(topic, 12);
    const keyed = read.filter((m) => /:\d+$/.test(m.key ?? ''));
    expect(keyed).toHaveLength(10);
    for (const message of keyed) {
      const body = JSON.parse(message.value.toString());
      expect(body.data).toHaveLength(1);
      expect(message.key).toBe(`shop.${body.table}:${body.data[0].id}`);
      expect(message.partition).toBe(partitionOf(message.key!, PARTITIONS));
    }
    expect(new Set(keyed.map((m) => m.partition)).size).toBeGreaterThan(1);
    const rest = read.filter((m) => !keyed.includes(m));
    expect(rest.map((m) => [m.partition, m.key, JSON.parse(m.value.toString()).type])).toEqual([
      [0, 'shop.logs', 'INSERT'],
      [0, 'shop.orders', 'ALTER'],
    ]);
    expect(JSON.parse(rest[0]!.value.toString()).data).toHaveLength(3);
  });

  it('routes DTS Avro records per row under the primary-key policy', async () => {
    const { topic } = await deliverAll(
      'hash-primary-key',
      [insert(orders, [1, 2, 3, 4])],
      'dts-avro',
    );
    const read = await readTopic(topic, 4);
    for (const message of read) {
      const record = decodeDtsAvro(message.value);
      const id = Object.values(
        (record.afterImages as Array<Record<string, { value: string }>>)[0]!,
      )[0]!.value;
      expect(message.key).toBe(`shop.orders:${id}`);
      expect(message.partition).toBe(partitionOf(message.key!, PARTITIONS));
    }
  });
});

describe('an UPDATE that changes the primary key', () => {
  // Under the primary-key policy a consumer that compacts by key must learn that the old key
  // is gone: the old key's last message is a DELETE, the new key's is the row.
  const moves: ChangeEvent[] = [
    insert(orders, [1, 5]),
    {
      ...base,
      kind: 'update',
      schema: orders,
      rows: [
        { before: ['1', '0'], after: ['2', '7'] },
        { before: ['5', '0'], after: ['5', '8'] },
      ],
    },
  ];

  it('writes a Canal JSON DELETE for the old key, then an INSERT for the new key', async () => {
    // The two keys hash to different partitions (pinned Java values on 4 partitions).
    expect([partitionOf('shop.orders:1', 4), partitionOf('shop.orders:2', 4)]).toEqual([0, 3]);
    const { topic, report } = await deliverAll('hash-primary-key', moves);
    const read = await readTopic(topic, report.messages);
    const bodies = read.map((m) => ({ message: m, body: JSON.parse(m.value.toString()) }));
    for (const { message } of bodies) {
      expect(message.partition).toBe(partitionOf(message.key!, PARTITIONS));
    }
    const last = (key: string) => bodies.filter((b) => b.message.key === key).at(-1)!.body;
    expect(last('shop.orders:1')).toMatchObject({ type: 'DELETE', data: [{ id: '1', v: '0' }] });
    expect(last('shop.orders:2')).toMatchObject({
      type: 'INSERT',
      data: [{ id: '2', v: '7' }],
      old: null,
    });
    expect(last('shop.orders:5')).toMatchObject({
      type: 'UPDATE',
      data: [{ id: '5', v: '8' }],
      old: [{ v: '0' }],
    });
    // Built in row order: the DELETE, the INSERT, then the next row's UPDATE.
    const ids = (key: string) => bodies.filter((b) => b.message.key === key).map((b) => b.body.id);
    expect([
      ids('shop.orders:1').at(-1),
      ids('shop.orders:2')[0],
      ids('shop.orders:5').at(-1),
    ]).toEqual([3, 4, 5]);
    expect(report.messages).toBe(5);
  });

  it('writes DTS Avro DELETE and INSERT records the same way', async () => {
    const { topic, report } = await deliverAll('hash-primary-key', moves, 'dts-avro');
    const read = await readTopic(topic, report.messages);
    const idOf = (images: unknown) =>
      Object.values((images as Array<Record<string, { value: string }>>)[0]!)[0]!.value;
    const last = (key: string) => {
      const message = read.filter((m) => m.key === key).at(-1)!;
      expect(message.partition).toBe(partitionOf(key, PARTITIONS));
      return decodeDtsAvro(message.value);
    };
    const deleted = last('shop.orders:1');
    expect([deleted.operation, idOf(deleted.beforeImages), deleted.afterImages]).toEqual([
      'DELETE',
      '1',
      null,
    ]);
    const inserted = last('shop.orders:2');
    expect([inserted.operation, inserted.beforeImages, idOf(inserted.afterImages)]).toEqual([
      'INSERT',
      null,
      '2',
    ]);
    expect(last('shop.orders:5').operation).toBe('UPDATE');
    expect(Number(deleted.id) + 1).toBe(Number(inserted.id));
    expect(report.messages).toBe(5);
  });
});

describe('delivery order', () => {
  it('keeps every key in order with many deliveries in flight, settling them in call order', async () => {
    const topic = await makeTopic('order', PARTITIONS);
    const sink = await openEventSink({
      destination: plainDestination(topic),
      format: 'canal-json',
      partitionPolicy: 'hash-primary-key',
      source,
      // Small requests, so the deliveries spread over many produce requests.
      limits: { maxRequestBytes: 16 * 1024 },
    });
    const KEYS = 40;
    const VERSIONS = 25;
    const settled: number[] = [];
    const pending: Array<Promise<EventDeliveryReport>> = [];
    try {
      for (let v = 1; v <= VERSIONS; v++) {
        // Each round is split in two deliveries that interleave keys.
        for (const half of [0, 1]) {
          const batch: ChangeEvent[] = [];
          for (let id = half; id < KEYS; id += 2) batch.push(update(orders, id, v));
          const index = pending.length;
          pending.push(
            sink.deliver(batch).then((report) => {
              settled.push(index);
              return report;
            }),
          );
        }
      }
      await Promise.all(pending);
    } finally {
      await sink.close();
    }
    expect(settled).toEqual([...settled].sort((a, b) => a - b));
    const read = await readTopic(topic, KEYS * VERSIONS);
    expect(read).toHaveLength(KEYS * VERSIONS);
    const seen = new Map<string, number[]>();
    for (const message of read) {
      const body = JSON.parse(message.value.toString());
      const id = body.data[0].id as string;
      seen.set(id, [...(seen.get(id) ?? []), Number(body.data[0].v)]);
      expect(message.partition).toBe(partitionOf(message.key!, PARTITIONS));
    }
    expect(seen.size).toBe(KEYS);
    for (const versions of seen.values()) {
      expect(versions).toEqual(Array.from({ length: VERSIONS }, (_, i) => i + 1));
    }
  });
});
