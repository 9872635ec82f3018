/**
 * Renames and the capitalization policy, applied by the transform stage, as a consumer reads
 * them from Kafka: data and DDL topics, keys, and the schema migration's CREATE TABLE.
 */
import type { DdlEvent, InsertEvent, TableSchema } from '@tidewater/change-events';
import { testColumn } from '@tidewater/change-events/testing';
import { decodeDtsAvro } from '@tidewater/formats';
import { openEventSink } from '../../src/pipeline/sink';
import { afterAll, describe, expect, it } from 'vitest';
// The sink's own Kafka test helpers: topics with partitions, a reader of a whole topic.
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';
import { createTransform, renameCreateTable } from '../../src/pipeline/transform';

afterAll(dropTopics);

const source = { version: '8.0.36', timeZone: 'UTC' };
const base = { timestamp: 1714530030000, position: null, gtid: null, serverId: 1 };

function table(name: string): TableSchema {
  return {
    database: 'shop',
    table: name,
    columns: [
      testColumn('id', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
      testColumn('v', 'integer', 'int', 'int(11)', { precision: 4 }),
    ],
    primaryKey: ['id'],
    uniqueKeys: {},
  };
}
const orders = table('orders');
const items = table('items');
const insert = (schema: TableSchema, id: number): InsertEvent => ({
  ...base,
  kind: 'insert',
  schema,
  rows: [[String(id), '0']],
});
const alter: DdlEvent = {
  ...base,
  kind: 'ddl',
  database: 'shop',
  table: 'orders',
  ddlKind: 'ALTER',
  sql: 'ALTER TABLE orders ADD COLUMN w INT',
  isParsed: true,
};
const advanced = (capitalization: 'default' | 'upper') =>
  ({ capitalization }) as Parameters<typeof createTransform>[0]['advanced'];

describe('names in messages', () => {
  it('applies renames and the capitalization policy to every name, DDL topic included', async () => {
    const topic = await makeTopic('mapping', 2);
    const ddlTopic = await makeTopic('mapping-ddl', 1);
    const transform = createTransform({
      objects: [
        {
          kind: 'database',
          database: 'shop',
          rename: 'Store',
          dml: ['insert', 'update', 'delete'],
        },
        { kind: 'table', database: 'shop', table: 'orders', rename: 'Purchases', dml: ['insert'] },
      ],
      advanced: advanced('upper'),
    });
    const sink = await openEventSink({
      destination: plainDestination(topic, { ddlTopic }),
      format: 'canal-json',
      partitionPolicy: 'hash-primary-key',
      source,
    });
    try {
      const events = [insert(orders, 7), insert(items, 8), alter].map((e) => transform.apply(e)!);
      const report = await sink.deliver(events);
      expect(report.partitions).toEqual({ [topic]: expect.any(Array), [ddlTopic]: [0] });
    } finally {
      await sink.close();
    }
    const data = (await readTopic(topic, 2)).map((m) => ({
      key: m.key,
      body: JSON.parse(m.value.toString()),
    }));
    const byTable = Object.fromEntries(data.map((d) => [d.body.table, d]));
    expect(byTable.Purchases.key).toBe('Store.Purchases:7');
    expect(byTable.Purchases.body).toMatchObject({
      database: 'Store',
      pkNames: ['ID'],
      data: [{ ID: '7', V: '0' }],
      mysqlType: { ID: 'int(11)', V: 'int(11)' },
    });
    expect(byTable.ITEMS.key).toBe('Store.ITEMS:8');
    const [ddl] = await readTopic(ddlTopic, 1);
    expect(ddl!.key).toBe('Store.Purchases');
    expect(JSON.parse(ddl!.value.toString())).toMatchObject({
      database: 'Store',
      table: 'Purchases',
      isDdl: true,
    });
  });

  it('publishes one CREATE TABLE per table with destination names (schema migration)', async () => {
    const topic = await makeTopic('schema', 2);
    const ddlTopic = await makeTopic('schema-ddl', 1);
    const { names } = createTransform({
      objects: [
        { kind: 'table', database: 'shop', table: 'orders', rename: 'purchases', dml: ['insert'] },
      ],
      advanced: advanced('default'),
    });
    const sink = await openEventSink({
      destination: plainDestination(topic, { ddlTopic }),
      format: 'dts-avro',
      partitionPolicy: 'hash-database-table',
      source,
    });
    try {
      const published = await sink.publishTableSchema(
        [
          { schema: orders, createTable: 'CREATE TABLE `orders` (\n  `id` int(11) NOT NULL\n)' },
          { schema: items, createTable: 'CREATE TABLE `items` (\n  `id` int(11) NOT NULL\n)' },
        ].map(({ schema, createTable }) => ({
          schema: names.tableSchema(schema),
          createTable: renameCreateTable(createTable, names.table(schema.database, schema.table)),
        })),
      );
      expect(published).toMatchObject({
        messages: 2,
        partitions: { [ddlTopic]: [0] },
        schemaIds: {},
      });
    } finally {
      await sink.close();
    }
    const records = (await readTopic(ddlTopic, 2)).map((m) => ({
      key: m.key,
      record: decodeDtsAvro(m.value),
    }));
    expect(records.map((r) => [r.key, r.record.operation, r.record.objectName])).toEqual([
      ['shop.purchases', 'DDL', 'shop'],
      ['shop.items', 'DDL', 'shop'],
    ]);
    expect(records[0]!.record.afterImages).toBe(
      'CREATE TABLE `purchases` (\n  `id` int(11) NOT NULL\n)',
    );
  });
});
