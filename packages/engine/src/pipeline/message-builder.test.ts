import type {
  ChangeEvent,
  InsertEvent,
  RowImage,
  SnapshotRowsEvent,
  TableSchema,
  UpdateEvent,
} from '@tidewater/change-events';
import { decodeDtsAvro } from '@tidewater/formats';
import { describe, expect, it } from 'vitest';
import { MessageBuilder, type MessageBuilderOptions } from './message-builder';
import { partitionOf } from './partition-policy';
import { BATCH_OVERHEAD_BYTES, type OutgoingMessage } from '@tidewater/kafka-sink';
import { testColumn } from '@tidewater/change-events/testing';

const orders: TableSchema = {
  database: 'shop',
  table: 'orders',
  columns: [testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 })],
  primaryKey: ['id'],
  uniqueKeys: {},
};
const base = { timestamp: 1714530030000, position: null, gtid: null, serverId: 1 };
const insert: InsertEvent = { ...base, kind: 'insert', schema: orders, rows: [['1'], ['2']] };
const markers: ChangeEvent[] = [
  { ...base, kind: 'begin' },
  { ...base, kind: 'commit', xid: '9' },
  { ...base, kind: 'heartbeat' },
];

function builder(extra: Partial<MessageBuilderOptions> = {}): MessageBuilder {
  return new MessageBuilder({
    format: 'dts-avro',
    partitionPolicy: 'hash-primary-key',
    source: { version: '8.0.36', timeZone: 'UTC' },
    topic: 'data',
    ddlTopic: 'ddl',
    partitions: new Map([
      ['data', 4],
      ['ddl', 1],
    ]),
    maxMessageBytes: new Map([
      ['data', 1_048_588],
      ['ddl', 1_048_588],
    ]),
    ...extra,
  });
}

describe('MessageBuilder', () => {
  it('numbers DTS records from firstId, one per row', () => {
    const messages = builder({ firstId: 10 }).build([insert, insert], 0);
    expect(messages.map((m) => Number(decodeDtsAvro(m.value).id))).toEqual([10, 11, 12, 13]);
    expect(messages.map((m) => m.key)).toEqual([
      'shop.orders:1',
      'shop.orders:2',
      'shop.orders:1',
      'shop.orders:2',
    ]);
  });

  it('writes BEGIN/COMMIT/HEARTBEAT only for DTS Avro and only when asked, to partition 0', () => {
    expect(builder().build(markers, 0)).toEqual([]);
    expect(builder({ format: 'canal-json', transactionRecords: true }).build(markers, 0)).toEqual(
      [],
    );
    const written = builder({ transactionRecords: true }).build(markers, 0);
    expect(written.map((m) => [m.topic, m.partition, m.key])).toEqual([
      ['data', 0, null],
      ['data', 0, null],
      ['data', 0, null],
    ]);
    expect(written.map((m) => decodeDtsAvro(m.value).operation)).toEqual([
      'BEGIN',
      'COMMIT',
      'HEARTBEAT',
    ]);
  });

  it("writes the Flink values when asked, with the same keys and partitions as Canal's values", () => {
    const blobs: TableSchema = {
      database: 'shop',
      table: 'files',
      columns: [
        testColumn('id', 'binary', 'binary', 'binary(2)'),
        testColumn('at', 'timestamp', 'timestamp', 'timestamp'),
      ],
      primaryKey: ['id'],
      uniqueKeys: {},
    };
    const event: InsertEvent = {
      ...base,
      kind: 'insert',
      schema: blobs,
      rows: [[Buffer.from([0x61, 0]), '0000-00-00 00:00:00']],
    };
    const canal = builder({ format: 'canal-json' }).build([event], 0);
    const flink = builder({ format: 'canal-json', canalJsonValues: 'flink' }).build([event], 0);
    const dataOf = (m: OutgoingMessage) =>
      (JSON.parse(m.value.toString()) as { data: unknown }).data;
    expect(dataOf(canal[0]!)).toEqual([{ id: 'a', at: '0000-00-00 00:00:00' }]);
    expect(dataOf(flink[0]!)).toEqual([{ id: 'YQA=', at: null }]);
    expect(flink.map((m) => [m.key, m.partition])).toEqual(canal.map((m) => [m.key, m.partition]));
  });

  it('frames values with the schema id of their topic', () => {
    const [message] = builder({ schemaIds: new Map([['data', 7]]) }).build([insert], 0);
    expect(message!.value.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0, 7]));
    expect(decodeDtsAvro(message!.value.subarray(5)).objectName).toBe('shop.orders');
  });

  it('sends a database-level DDL to the DDL topic, partition 0, keyed by the database', () => {
    const [message] = builder({ format: 'canal-json' }).build(
      [
        {
          ...base,
          kind: 'ddl',
          database: 'shop',
          table: '',
          ddlKind: 'QUERY',
          sql: 'CREATE DATABASE shop',
          isParsed: true,
        },
      ],
      5,
    );
    expect(message).toMatchObject({ topic: 'ddl', partition: 0, key: 'shop', table: 'shop' });
  });
});

const notes: TableSchema = {
  database: 'shop',
  table: 'notes',
  columns: [
    testColumn('id', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
    testColumn('body', 'char', 'varchar', 'varchar(200)', { charset: 'utf8mb4' }),
  ],
  primaryKey: ['id'],
  uniqueKeys: {},
};
const LIMIT = 64 * 1024;

function body(id: number, length = 200): string {
  return `${id}:`.padEnd(length, String.fromCharCode(97 + (id % 26)));
}

function snapshot(rows: RowImage[]): SnapshotRowsEvent {
  return { ...base, kind: 'snapshot', schema: notes, rows };
}

function limited(extra: Partial<MessageBuilderOptions> = {}): MessageBuilder {
  return builder({
    format: 'canal-json',
    partitionPolicy: 'partition-zero',
    maxMessageBytes: new Map([['data', LIMIT]]),
    ...extra,
  });
}

interface Flat {
  id: number;
  type: string;
  table: string;
  es: number;
  ts: number;
  data: Array<Record<string, string>>;
  old: Array<Record<string, string>> | null;
}

const flat = (m: OutgoingMessage): Flat => JSON.parse(m.value.toString('utf8')) as Flat;

/** Every part fits, rows come once each and in order, ids run on, the header is shared. */
function expectSplit(messages: OutgoingMessage[], rows: number, firstId = 1): Flat[] {
  const bodies = messages.map(flat);
  for (const m of messages) expect(m.size + BATCH_OVERHEAD_BYTES).toBeLessThanOrEqual(LIMIT);
  expect(bodies.map((b) => b.id)).toEqual(bodies.map((_, i) => firstId + i));
  expect(new Set(bodies.map((b) => `${b.type} ${b.table} ${b.es} ${b.ts}`)).size).toBe(1);
  expect(new Set(messages.map((m) => `${m.topic} ${m.partition} ${m.key}`)).size).toBe(1);
  expect(bodies.flatMap((b) => b.data.map((row) => Number(row.id)))).toEqual(
    Array.from({ length: rows }, (_, i) => i),
  );
  return bodies;
}

describe('MessageBuilder: messages over the topic limit', () => {
  it('keeps a Canal JSON event that fits as one message holding every row', () => {
    const rows = Array.from({ length: 200 }, (_, id) => [String(id), body(id)]);
    const messages = limited().build([snapshot(rows)], 7);
    expect(messages).toHaveLength(1);
    expect(flat(messages[0]!).data).toHaveLength(200);
  });

  it('splits a snapshot chunk into consecutive row ranges, each under the limit', () => {
    const rows = Array.from({ length: 3000 }, (_, id) => [String(id), body(id)]);
    const messages = limited({ firstId: 40 }).build([snapshot(rows)], 7);
    const bodies = expectSplit(messages, 3000, 40);
    // About 680 KB of rows in parts aimed at 90 % of 64 KiB: 12 parts, none nearly empty.
    const total = messages.reduce((sum, m) => sum + m.size, 0);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil(total / (LIMIT * 0.8)));
    expect(bodies.every((b) => b.type === 'INSERT' && b.table === 'notes' && b.ts === 7)).toBe(
      true,
    );
    expect(messages.every((m) => m.partition === 0 && m.key === 'shop.notes')).toBe(true);
  });

  it('keeps the serial running across a split and the next event', () => {
    const rows = Array.from({ length: 1000 }, (_, id) => [String(id), body(id)]);
    const messages = limited().build([snapshot(rows), insert], 7);
    expect(messages.length).toBeGreaterThan(3);
    const ids = messages.map((m) => flat(m).id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(flat(messages.at(-1)!).table).toBe('orders');
  });

  it('splits a multi-row UPDATE with old beside data', () => {
    const update: UpdateEvent = {
      ...base,
      kind: 'update',
      schema: notes,
      rows: Array.from({ length: 800 }, (_, id) => ({
        before: [String(id), body(id + 1)],
        after: [String(id), body(id)],
      })),
    };
    const bodies = expectSplit(limited().build([update], 7), 800);
    for (const b of bodies) {
      expect(b.old).toHaveLength(b.data.length);
      b.data.forEach((row, i) => expect(b.old![i]).toEqual({ body: body(Number(row.id) + 1) }));
    }
  });

  it('splits again a part whose rows are larger than the estimate', () => {
    // Small rows first, then 20 KB rows: cutting by row count misses, parts are cut again.
    const rows = Array.from({ length: 600 }, (_, id) => [
      String(id),
      body(id, id < 500 ? 50 : 20_000),
    ]);
    const messages = limited().build([snapshot(rows)], 7);
    expectSplit(messages, 600);
    expect(messages.length).toBeLessThan(100);
  });

  it('cuts an event with more rows than any message could hold before encoding it', () => {
    const ids: TableSchema = { ...notes, columns: [notes.columns[0]!] };
    const rows = Array.from({ length: 50_000 }, (_, id) => [String(id)]);
    const messages = limited().build([{ ...snapshot(rows), schema: ids }], 7);
    expectSplit(messages, 50_000);
  });

  it('splits the event of every policy that writes whole events; the table hash keeps the partition', () => {
    const rows = Array.from({ length: 3000 }, (_, id) => [String(id), body(id)]);
    const hashed = limited({ partitionPolicy: 'hash-database-table' }).build([snapshot(rows)], 7);
    expectSplit(hashed, 3000);
    expect(hashed[0]!.partition).toBe(partitionOf('shop.notes', 4));
    const keyless: TableSchema = { ...notes, primaryKey: [] };
    const whole = limited({ partitionPolicy: 'hash-primary-key' }).build(
      [{ ...snapshot(rows), schema: keyless }],
      7,
    );
    expect(expectSplit(whole, 3000).length).toBeGreaterThan(1);
    expect(whole[0]).toMatchObject({ partition: 0, key: 'shop.notes' });
  });

  it('leaves a single row over the limit whole, in a message of its own', () => {
    const rows = Array.from({ length: 20 }, (_, id) => [String(id), body(id)]);
    rows[10] = ['10', 'x'.repeat(LIMIT)];
    const messages = limited().build([snapshot(rows)], 7);
    const large = messages.filter((m) => m.size + BATCH_OVERHEAD_BYTES > LIMIT);
    expect(large.map((m) => flat(m).data.map((row) => row.id))).toEqual([['10']]);
    expect(messages.flatMap((m) => flat(m).data.map((row) => Number(row.id)))).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('writes DTS Avro as one record per row whatever the limit', () => {
    const rows = Array.from({ length: 3000 }, (_, id) => [String(id), body(id)]);
    const messages = limited({ format: 'dts-avro' }).build([snapshot(rows)], 7);
    expect(messages).toHaveLength(3000);
    expect(messages.every((m) => m.size + BATCH_OVERHEAD_BYTES < LIMIT)).toBe(true);
  });
});

describe('MessageBuilder: an UPDATE that changes the row key', () => {
  const moved: UpdateEvent = {
    ...base,
    kind: 'update',
    schema: notes,
    rows: [
      { before: ['1', 'a'], after: ['2', 'b'] },
      { before: ['5', 'c'], after: ['5', 'd'] },
    ],
  };
  const routes = (messages: OutgoingMessage[]) => messages.map((m) => [m.partition, m.key]);

  it('is a Canal JSON DELETE for the old key, then an INSERT for the new key', () => {
    const messages = builder({ format: 'canal-json', firstId: 3 }).build([moved], 7);
    expect(routes(messages)).toEqual([
      [partitionOf('shop.notes:1', 4), 'shop.notes:1'],
      [partitionOf('shop.notes:2', 4), 'shop.notes:2'],
      [partitionOf('shop.notes:5', 4), 'shop.notes:5'],
    ]);
    expect(messages.map(flat)).toMatchObject([
      { id: 3, type: 'DELETE', data: [{ id: '1', body: 'a' }], old: null, es: base.timestamp },
      { id: 4, type: 'INSERT', data: [{ id: '2', body: 'b' }], old: null, es: base.timestamp },
      { id: 5, type: 'UPDATE', data: [{ id: '5', body: 'd' }], old: [{ body: 'c' }] },
    ]);
  });

  it('is a DTS Avro DELETE record with the before image, then an INSERT with the after image', () => {
    const messages = builder({ firstId: 3 }).build([moved], 7);
    expect(routes(messages)).toEqual([
      [partitionOf('shop.notes:1', 4), 'shop.notes:1'],
      [partitionOf('shop.notes:2', 4), 'shop.notes:2'],
      [partitionOf('shop.notes:5', 4), 'shop.notes:5'],
    ]);
    const records = messages.map((m) => decodeDtsAvro(m.value));
    expect(records.map((r) => [Number(r.id), r.operation])).toEqual([
      [3, 'DELETE'],
      [4, 'INSERT'],
      [5, 'UPDATE'],
    ]);
    expect(records[0]!.afterImages).toBeNull();
    expect(records[0]!.beforeImages).toHaveLength(2);
    expect(records[1]!.beforeImages).toBeNull();
    expect(records[1]!.afterImages).toHaveLength(2);
  });

  it('also applies to the unique key of a table without a primary key', () => {
    const unique: UpdateEvent = {
      ...moved,
      schema: { ...notes, primaryKey: [], uniqueKeys: { uk_body: ['body'] } },
    };
    const messages = builder({ format: 'canal-json' }).build([unique], 7);
    expect(messages.map((m) => [m.key, flat(m).type])).toEqual([
      ['shop.notes:a', 'DELETE'],
      ['shop.notes:b', 'INSERT'],
      ['shop.notes:c', 'DELETE'],
      ['shop.notes:d', 'INSERT'],
    ]);
  });

  it('stays one UPDATE under the policies keyed by table', () => {
    for (const partitionPolicy of ['partition-zero', 'hash-database-table'] as const) {
      const messages = builder({ format: 'canal-json', partitionPolicy }).build([moved], 7);
      expect(messages.map((m) => [m.key, flat(m).type, flat(m).data.length])).toEqual([
        ['shop.notes', 'UPDATE', 2],
      ]);
    }
  });
});
