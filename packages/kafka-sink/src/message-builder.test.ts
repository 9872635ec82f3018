import type { ChangeEvent, InsertEvent, TableSchema } from '@tidewater/change-events';
import { decodeDtsAvro } from '@tidewater/formats';
import { describe, expect, it } from 'vitest';
import { MessageBuilder, type MessageBuilderOptions } from './message-builder';
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
