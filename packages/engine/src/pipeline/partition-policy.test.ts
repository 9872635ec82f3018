import type { TableSchema } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import {
  ddlRoute,
  keyColumnsOf,
  partitionOf,
  rowKey,
  tableKey,
  tableRoute,
} from './partition-policy';
import { testColumn } from '@tidewater/change-events/testing';

// Hash codes and partitions computed with Java 17 (`s.hashCode()`, `Math.abs(h % n)`), pinned
// here so a Java consumer computes the partition we chose.
const JAVA_VALUES: Array<[string, number, number]> = [
  // [input, partition of 8, partition of 3]
  ['shop.orders', 5, 0],
  ['shop.orders:42', 5, 2],
  ['shop.orders:42^héllo', 3, 0],
  ['polygenelubricants', 0, 2], // hashCode() == Integer.MIN_VALUE
  ['db\\u002E1.t:1', 4, 1],
  ['订单.明细:7', 0, 2],
  ['shop.orders:1', 4, 0],
  ['shop.orders:6', 7, 1],
];

describe('partitionOf', () => {
  it.each(JAVA_VALUES)('puts %s where Java does', (input, of8, of3) => {
    expect(partitionOf(input, 8)).toBe(of8);
    expect(partitionOf(input, 3)).toBe(of3);
  });

  it('always lands on partition 0 of a one-partition topic', () => {
    expect(partitionOf('polygenelubricants', 1)).toBe(0);
  });
});

const orders: TableSchema = {
  database: 'shop',
  table: 'orders',
  columns: [
    testColumn('id', 'integer', 'bigint', 'bigint(20)'),
    testColumn('note', 'char', 'varchar', 'varchar(20)', { charset: 'utf8mb4' }),
    testColumn('code', 'binary', 'varbinary', 'varbinary(4)'),
  ],
  primaryKey: ['id', 'note'],
  uniqueKeys: { by_code: ['code'] },
};

describe('keys', () => {
  it('escapes a dot inside a name the way DTS objectName does', () => {
    expect(tableKey('db.1', 't')).toBe('db\\u002E1.t');
    expect(tableKey('shop', '')).toBe('shop');
    expect(tableKey('', '')).toBeNull();
  });

  it('joins key values in key order as Canal renders them, escaping the separator', () => {
    const key = keyColumnsOf(orders)!;
    expect(rowKey('shop.orders', key, ['42', 'héllo', null], 'UTC')).toBe('shop.orders:42^héllo');
    expect(rowKey('shop.orders', key, ['1', 'a^b\\c', null], 'UTC')).toBe(
      'shop.orders:1^a\\^b\\\\c',
    );
    expect(rowKey('shop.orders', key, ['1', null, null], 'UTC')).toBe('shop.orders:1^');
  });

  it('falls back on the first unique key, and on none', () => {
    const byUnique = keyColumnsOf({ ...orders, primaryKey: [] })!;
    expect(byUnique.columns.map((c) => c.name)).toEqual(['code']);
    expect(rowKey('shop.orders', byUnique, ['1', 'x', Buffer.from([0x41, 0xff])], 'UTC')).toBe(
      'shop.orders:Aÿ',
    );
    expect(keyColumnsOf({ ...orders, primaryKey: [], uniqueKeys: {} })).toBeNull();
  });
});

describe('routes', () => {
  it('sends everything to partition 0 under partition-zero', () => {
    expect(tableRoute('partition-zero', 'shop.orders', 8)).toEqual({
      partition: 0,
      key: 'shop.orders',
    });
    expect(ddlRoute('partition-zero', 'shop', 'orders', 8)).toEqual({
      partition: 0,
      key: 'shop.orders',
    });
  });

  it('keeps a table and its DDL on one partition under the table hash', () => {
    expect(tableRoute('hash-database-table', 'shop.orders', 8)).toEqual({
      partition: 5,
      key: 'shop.orders',
    });
    expect(ddlRoute('hash-database-table', 'shop', 'orders', 8)).toEqual({
      partition: 5,
      key: 'shop.orders',
    });
    expect(ddlRoute('hash-database-table', 'shop', '', 8)).toEqual({ partition: 0, key: 'shop' });
  });

  it('puts DDL on partition 0 under the primary-key hash', () => {
    expect(ddlRoute('hash-primary-key', 'shop', 'orders', 8)).toEqual({
      partition: 0,
      key: 'shop.orders',
    });
  });
});
