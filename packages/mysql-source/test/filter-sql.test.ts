/**
 * The SQL a row filter is rendered to (filter.ts) must mean what the operator wrote: the server
 * selects the same rows with either. The cases lean on operator precedence, which the parser
 * underneath gets wrong for AND, OR and XOR.
 */
import type { TableSchema } from '@tidewater/change-events';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTidewaterError } from '@tidewater/errors';
import { parseRowFilter } from '../src/filter';
import { quoteIdentifier } from '../src/identifiers';
import { readTableSchema } from '../src/introspect';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

describe('the SQL a filter is rendered to', () => {
  let scratch: ScratchDatabase;
  let schema: TableSchema;

  beforeAll(async () => {
    scratch = await createScratchDatabase('filterprec');
    await scratch.exec('CREATE TABLE p (id INT PRIMARY KEY, a INT, b INT, c INT, s VARCHAR(10))');
    let id = 0;
    for (const a of [0, 1, null]) {
      for (const b of [0, 1, null]) {
        for (const c of [0, 1, null]) {
          id += 1;
          await scratch.exec('INSERT INTO p VALUES (?, ?, ?, ?, ?)', [
            id,
            a,
            b,
            c,
            id % 2 === 0 ? 'x' : 'y',
          ]);
        }
      }
    }
    schema = await readTableSchema(scratch.admin.connection, scratch.name, 'p');
  });

  afterAll(async () => {
    await scratch.drop();
  });

  it("selects the rows the operator's text selects: AND binds tighter than XOR, XOR than OR", async () => {
    const filters = [
      'a = 1 OR b = 1 AND c = 1',
      'a = 1 AND b = 1 OR c = 1',
      'a = 1 OR b = 1 AND c = 1 OR a = 0 AND b = 0',
      'a = 1 AND b IN (1, 0) OR c = 1',
      "a = 1 AND s LIKE 'x' ESCAPE '!' OR c = 1",
      "a = 1 AND s REGEXP 'x' OR c = 1",
      'a XOR b AND c',
      'a OR b XOR c',
      'a XOR b OR c AND a',
      'a && b OR c',
      'a OR b && c',
      'NOT a OR b AND c',
      '!a OR b AND c',
      'a = 1 OR b BETWEEN 1 AND 2 AND c = 1',
      'a AND NOT b OR c',
      '(a = 1 OR b = 1) AND c = 1',
      'a = 1 AND (b = 1 OR c = 1)',
      'a = 1 OR NOT (b = 1 OR c = 1) AND a = 0',
      'a IS NULL OR b IS NOT NULL AND c = 0',
      'a + b * c = 1 OR a - b - c = 0 AND a',
      'a < b = c OR a = b = c AND b',
      'a = 1 OR b <=> NULL AND c = 1',
      'a = 1 IS TRUE',
      'NOT a = 1 AND b',
      'NOT a IN (1) OR c',
      'a + 1 BETWEEN 1 AND 2 OR c',
      'a IN (0, 1) = 1 AND b',
      "s LIKE 'x' = 0 OR a",
      '- a = -1 OR b = - c',
      'a * 2 + b * 3 >= 4 - c',
      'a BETWEEN 0 AND 1 AND b BETWEEN c AND 1',
      'a IS NOT NULL AND NOT b IS NULL OR c IS NULL AND a',
      'a XOR b XOR c',
      'a OR b OR c AND NOT a',
      'NOT NOT a AND b',
      'a DIV 2 = 0 AND b % 2 = 1 OR c MOD 2 = 0',
    ];
    const different: string[] = [];
    let compared = 0;
    for (const text of filters) {
      // A filter the parser cannot read is refused outright: it cannot change meaning.
      let filter: ReturnType<typeof parseRowFilter>;
      try {
        filter = parseRowFilter(text, schema);
      } catch (error) {
        if (isTidewaterError(error) && error.code === 'FILTER_SYNTAX_ERROR') continue;
        throw error;
      }
      compared += 1;
      const ids = async (condition: string): Promise<string> => {
        const [rows] = await scratch.admin.connection.query<RowDataPacket[]>(
          `SELECT id FROM ${quoteIdentifier(scratch.name)}.p WHERE ${condition} ORDER BY id`,
        );
        return rows.map((row) => String(row.id)).join(',');
      };
      const [written, rendered] = [await ids(text), await ids(filter.sql)];
      if (written !== rendered) {
        different.push(
          `${text} → ${filter.sql}: the text selects [${written}], the SQL [${rendered}]`,
        );
      }
    }
    expect(different, different.join('\n')).toEqual([]);
    expect(compared).toBeGreaterThan(filters.length - 5);
  });
});
