import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTables } from '../src/table-plan';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

/**
 * The table plan of a whole database costs a constant number of table listings, not one per
 * table (which made a database of n tables cost O(n²) rows read from information_schema).
 */

const TABLES = 300;
let scratch: ScratchDatabase;

beforeAll(async () => {
  scratch = await createScratchDatabase('tw_plan');
  for (let i = 0; i < TABLES; i++) {
    await scratch.exec(`CREATE TABLE t${i} (id INT PRIMARY KEY, v VARCHAR(8))`);
  }
}, 120_000);

afterAll(async () => {
  await scratch?.drop();
});

/** The connection, counting the queries whose SQL matches `pattern`. */
function counting(
  connection: Connection,
  pattern: RegExp,
): { connection: Connection; count(): number } {
  let count = 0;
  const proxy = new Proxy(connection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'query' || typeof value !== 'function') return value;
      return (sql: unknown, ...rest: unknown[]) => {
        const text = typeof sql === 'string' ? sql : String((sql as { sql?: string }).sql);
        if (pattern.test(text)) count += 1;
        return (value as (...args: unknown[]) => unknown).call(target, sql, ...rest);
      };
    },
  });
  return { connection: proxy, count: () => count };
}

describe('planTables', () => {
  it('lists a whole database once, whatever its number of tables', async () => {
    // A listing of every table of a database (one lookup per table by name is fine).
    const probe = counting(
      scratch.admin.connection,
      /information_schema\.TABLES\s+WHERE TABLE_SCHEMA = \? ORDER BY/i,
    );
    const planned = await planTables(probe.connection, [
      { database: scratch.name, table: 't7', filter: 'id > 3' },
      { database: scratch.name, table: null, filter: null },
    ]);
    expect(planned).toHaveLength(TABLES);
    // Tables named one by one come first, with their filter; then the rest of the database.
    expect(planned[0]).toMatchObject({ table: 't7', filterSql: 'id > 3' });
    expect(planned.filter((table) => table.table === 't7')).toHaveLength(1);
    expect(planned[1]?.createTable).toMatch(/^CREATE TABLE `t0`/);
    expect(probe.count()).toBe(1);
  });
});
