import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureStackUp, seedDemoSource, stackEndpoints } from '../src/index';

describe('seedDemoSource', () => {
  let connection: mysql.Connection;

  beforeAll(async () => {
    await ensureStackUp(['mariadb']);
    const { mariadb } = stackEndpoints;
    connection = await mysql.createConnection({
      host: mariadb.host,
      port: mariadb.port,
      user: mariadb.rootUser,
      password: mariadb.rootPassword,
    });
  });

  afterAll(async () => {
    await connection.end();
  });

  async function countRows(): Promise<Record<string, number>> {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM demo_shop.customers) AS customers,
              (SELECT COUNT(*) FROM demo_shop.products) AS products,
              (SELECT COUNT(*) FROM demo_shop.orders) AS orders,
              (SELECT COUNT(*) FROM demo_shop.page_views) AS page_views`,
    );
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  }

  it('creates the demo shop once and changes nothing when run again', async () => {
    await seedDemoSource();
    const first = await countRows();
    await seedDemoSource();
    expect(await countRows()).toEqual(first);
    expect(first.orders).toBeGreaterThan(0);
    expect(first.page_views).toBeGreaterThan(0);
  });

  it('has the column types and the keyless table the quickstart shows', async () => {
    const [columns] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS columnName, COLUMN_TYPE AS columnType
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'demo_shop'`,
    );
    const typeOf = (table: string, column: string) =>
      columns.find((row) => row.tableName === table && row.columnName === column)?.columnType;
    expect(typeOf('orders', 'total')).toBe('decimal(12,2)');
    expect(typeOf('orders', 'ordered_at')).toBe('datetime(3)');
    const [keys] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT TABLE_NAME AS tableName FROM information_schema.TABLE_CONSTRAINTS
        WHERE TABLE_SCHEMA = 'demo_shop' AND CONSTRAINT_TYPE = 'PRIMARY KEY'`,
    );
    expect(keys.map((row) => row.tableName).sort()).toEqual(['customers', 'orders', 'products']);
  });
});
