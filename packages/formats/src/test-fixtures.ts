/**
 * The table and events of the worked examples in `docs/formats/canal-json.md` §8
 * and `docs/formats/dts-avro.md` §9, shared by the unit tests and the micro-benchmark.
 */
import type { RowImage, TableSchema } from '@tidewater/change-events';
import { testColumn } from '@tidewater/change-events/testing';

/** A column schema with defaults (the shared test helper). */
export const column = testColumn;

/** `shop.orders` of the Canal reference (MySQL 5.7 type text). */
export const ordersTable: TableSchema = {
  database: 'shop',
  table: 'orders',
  columns: [
    column('id', 'integer', 'bigint', 'bigint(20) unsigned', { nullable: false, precision: 8 }),
    column('qty', 'integer', 'int', 'int(11)', { nullable: false, precision: 4 }),
    column('hits', 'integer', 'int', 'int(10) unsigned', { precision: 4 }),
    column('price', 'decimal', 'decimal', 'decimal(10,2)', { precision: 10, scale: 2 }),
    column('flags', 'bit', 'bit', 'bit(3)', { precision: 3 }),
    column('status', 'enum', 'enum', "enum('new','paid','shipped')", {
      members: ['new', 'paid', 'shipped'],
    }),
    column('tags', 'set', 'set', "set('a','b','c')", { members: ['a', 'b', 'c'] }),
    column('code', 'binary', 'varbinary', 'varbinary(4)'),
    column('note', 'char', 'varchar', 'varchar(50)', { charset: 'utf8mb4' }),
    column('created', 'datetime', 'datetime', 'datetime(3)', { scale: 3 }),
    column('updated', 'timestamp', 'timestamp', 'timestamp', { scale: 0 }),
    column('meta', 'json', 'json', 'json'),
  ],
  primaryKey: ['id'],
  uniqueKeys: {},
};

/** The row the Canal reference inserts; TIMESTAMP is canonical UTC (10:20:30 at +08:00). */
export const ordersRow: RowImage = [
  '42',
  '3',
  '4294967295',
  '19.90',
  Buffer.from([0b101]),
  'paid',
  'a,c',
  Buffer.from([0x00, 0x01, 0xff]),
  'héllo',
  '2024-05-01 10:20:30.120',
  '2024-05-01 02:20:30',
  '{"k": [1, 2]}',
];

/** `shop.orders` as the DTS Avro golden vector describes it. */
export const goldenTable: TableSchema = {
  database: 'shop',
  table: 'orders',
  columns: [
    column('id', 'integer', 'bigint', 'bigint', { nullable: false, precision: 8 }),
    column('note', 'char', 'varchar', 'varchar(50)', { charset: 'utf8mb4' }),
    column('price', 'decimal', 'decimal', 'decimal(10,2)', { precision: 10, scale: 2 }),
    column('created', 'datetime', 'datetime', 'datetime(3)', { scale: 3 }),
    column('updated', 'timestamp', 'timestamp', 'timestamp', { scale: 0 }),
    column('memo', 'char', 'varchar', 'varchar(20)', { charset: 'utf8mb4' }),
  ],
  primaryKey: ['id'],
  uniqueKeys: {},
};
