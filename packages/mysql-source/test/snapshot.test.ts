import type { CellValue } from '@tidewater/change-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSource } from '../src/connect';
import { quoteIdentifier } from '../src/identifiers';
import {
  readSnapshot,
  type SnapshotResumePoint,
  type SnapshotRecord,
  type SnapshotOptions,
} from '../src/snapshot';
import { createScratchDatabase, sourceOptions, type ScratchDatabase } from './source-fixture';

/** Cells as comparable text: buffers as `hex:…`, numbers as `num:…`. */
function show(value: CellValue): string | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (typeof value === 'number') return `num:${Object.is(value, -0) ? '-0' : String(value)}`;
  return value;
}

interface Collected {
  rows: Array<Array<string | null>>;
  items: SnapshotRecord[];
  checkpoints: SnapshotResumePoint[];
}

async function collect(
  options: Partial<SnapshotOptions> & Pick<SnapshotOptions, 'tables'>,
): Promise<Collected> {
  const collected: Collected = { rows: [], items: [], checkpoints: [] };
  for await (const item of readSnapshot({
    connect: () => connectSource(sourceOptions()),
    ...options,
  })) {
    collected.items.push(item);
    if (item.kind === 'chunk') {
      for (const row of item.event.rows) collected.rows.push(row.map(show));
      collected.checkpoints.push(item.checkpoint);
    }
  }
  return collected;
}

describe('readSnapshot', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('snapshot');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  describe('type matrix: every family to its canonical value', () => {
    const cases: Array<{
      table: string;
      ddl: string;
      inserts: string[];
      expected: Array<Array<string | null>>;
    }> = [
      {
        table: 'integers',
        ddl: `id INT PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
              mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
              z INT(6) UNSIGNED ZEROFILL, b BOOL`,
        inserts: [
          `(1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, FALSE)`,
          `(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 42, TRUE)`,
          `(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
        ],
        expected: [
          [
            '1',
            '-128',
            '0',
            '-32768',
            '0',
            '-8388608',
            '0',
            '-2147483648',
            '0',
            '-9223372036854775808',
            '0',
            '0',
            '0',
          ],
          [
            '2',
            '127',
            '255',
            '32767',
            '65535',
            '8388607',
            '16777215',
            '2147483647',
            '4294967295',
            '9223372036854775807',
            '18446744073709551615',
            '42',
            '1',
          ],
          ['3', null, null, null, null, null, null, null, null, null, null, null, null],
        ],
      },
      {
        table: 'decimals',
        ddl: 'id INT PRIMARY KEY, d DECIMAL(65,30), m DECIMAL(10,2), u DECIMAL(5,0) UNSIGNED, z DECIMAL(6,2) ZEROFILL',
        inserts: [
          `(1, 12345678901234567890123456789012345.123456789012345678901234567890, -99999999.99, 99999, 1.5)`,
          `(2, -0.000000000000000000000000000001, 0, 0, 0)`,
          `(3, NULL, NULL, NULL, NULL)`,
        ],
        expected: [
          [
            '1',
            '12345678901234567890123456789012345.123456789012345678901234567890',
            '-99999999.99',
            '99999',
            '1.50',
          ],
          ['2', '-0.000000000000000000000000000001', '0.00', '0', '0.00'],
          ['3', null, null, null, null],
        ],
      },
      {
        table: 'floats',
        ddl: 'id INT PRIMARY KEY, f FLOAT, d DOUBLE, fm FLOAT(7,3)',
        inserts: [
          `(1, 16777217, 1.7976931348623157e308, 1234.5)`,
          `(2, 0.1, 0.1, 0.1)`,
          `(3, 3.4028234e38, 5e-324, -9999.999)`,
          `(4, -1.17549435e-38, -2.2250738585072014e-308, NULL)`,
        ],
        expected: [
          ['1', 'num:16777216', 'num:1.7976931348623157e+308', 'num:1234.5'],
          ['2', `num:${Math.fround(0.1)}`, 'num:0.1', `num:${Math.fround(0.1)}`],
          ['3', `num:${Math.fround(3.4028234e38)}`, 'num:5e-324', `num:${Math.fround(-9999.999)}`],
          ['4', `num:${Math.fround(-1.17549435e-38)}`, 'num:-2.2250738585072014e-308', null],
        ],
      },
      {
        table: 'bits',
        ddl: 'id INT PRIMARY KEY, b1 BIT(1), b12 BIT(12), b64 BIT(64)',
        inserts: [
          `(1, b'1', b'101010101010', b'${'1'.repeat(64)}')`,
          `(2, b'0', b'0', b'0')`,
          `(3, NULL, NULL, NULL)`,
        ],
        expected: [
          ['1', 'hex:01', 'hex:0aaa', 'hex:ffffffffffffffff'],
          ['2', 'hex:00', 'hex:0000', 'hex:0000000000000000'],
          ['3', null, null, null],
        ],
      },
      {
        table: 'temporals',
        ddl: 'id INT PRIMARY KEY, y YEAR, d DATE, t TIME(6), t0 TIME, dt DATETIME(6), dt0 DATETIME, ts TIMESTAMP(3) NULL',
        inserts: [
          `(1, 1901, '1000-01-01', '-838:59:59.000000', '00:00:00', '1000-01-01 00:00:00.000000', '1000-01-01 00:00:00', '2024-01-01 08:00:00.123')`,
          `(2, 2155, '9999-12-31', '838:59:59.999999', '-00:00:01', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59', '2038-01-19 11:14:07.999')`,
          `(3, 0, '0000-00-00', '00:00:00.000001', NULL, '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000')`,
          `(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
        ],
        // The rows were written in +08:00: TIMESTAMP comes back in UTC.
        expected: [
          [
            '1',
            'num:1901',
            '1000-01-01',
            '-838:59:59.000000',
            '00:00:00',
            '1000-01-01 00:00:00.000000',
            '1000-01-01 00:00:00',
            '2024-01-01 00:00:00.123',
          ],
          [
            '2',
            'num:2155',
            '9999-12-31',
            '838:59:59.999999',
            '-00:00:01',
            '9999-12-31 23:59:59.999999',
            '9999-12-31 23:59:59',
            '2038-01-19 03:14:07.999',
          ],
          [
            '3',
            'num:0',
            '0000-00-00',
            '00:00:00.000001',
            null,
            '0000-00-00 00:00:00.000000',
            '0000-00-00 00:00:00',
            '0000-00-00 00:00:00.000',
          ],
          ['4', null, null, null, null, null, null, null],
        ],
      },
      {
        table: 'texts',
        ddl: `id INT PRIMARY KEY, c CHAR(10), v VARCHAR(20), l VARCHAR(10) CHARACTER SET latin1,
              g VARCHAR(10) CHARACTER SET gbk, t TEXT, m MEDIUMTEXT CHARACTER SET utf8mb3`,
        inserts: [
          `(1, 'ab', 'emoji 😀 𝄞', 'café', '中文', '', 'x')`,
          `(2, '', '', '', '', 'line\nbreak\ttab \\\\ backslash', 'ünï')`,
          `(3, NULL, NULL, NULL, NULL, NULL, NULL)`,
        ],
        expected: [
          ['1', 'ab', 'emoji 😀 𝄞', 'café', '中文', '', 'x'],
          ['2', '', '', '', '', 'line\nbreak\ttab \\ backslash', 'ünï'],
          ['3', null, null, null, null, null, null],
        ],
      },
      {
        table: 'binaries',
        ddl: 'id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(10), bl BLOB, lb LONGBLOB',
        inserts: [`(1, 'ab', X'00ff', X'', X'deadbeef')`, `(2, NULL, NULL, NULL, NULL)`],
        expected: [
          ['1', 'hex:61620000', 'hex:00ff', 'hex:', 'hex:deadbeef'],
          ['2', null, null, null, null],
        ],
      },
      {
        table: 'enums',
        ddl: `id INT PRIMARY KEY, e ENUM('a', 'it''s', 'c,d'), s SET('x', 'y', 'z')`,
        inserts: [`(1, 'it''s', 'x,z')`, `(2, 'c,d', '')`, `(3, 'bogus', 'y')`, `(4, NULL, NULL)`],
        expected: [
          ['1', "it's", 'x,z'],
          ['2', 'c,d', ''],
          ['3', '', 'y'],
          ['4', null, null],
        ],
      },
      {
        table: 'jsons',
        ddl: 'id INT PRIMARY KEY, j JSON',
        inserts: [`(1, '{"a": [1, 2.50, "x"], "b": null, "c": "😀"}')`, `(2, '[]')`, `(3, NULL)`],
        expected: [
          ['1', '{"a": [1, 2.50, "x"], "b": null, "c": "😀"}'],
          ['2', '[]'],
          ['3', null],
        ],
      },
      {
        table: 'geometries',
        ddl: 'id INT PRIMARY KEY, g GEOMETRY, p POINT',
        inserts: [
          `(1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-1.5 0)'))`,
          `(2, NULL, NULL)`,
        ],
        expected: [
          [
            '1',
            'hex:00000000' + '0101000000' + '000000000000f03f' + '0000000000000040',
            'hex:00000000' + '0101000000' + '000000000000f8bf' + '0000000000000000',
          ],
          ['2', null, null],
        ],
      },
    ];

    beforeAll(async () => {
      // Zero dates and the invalid ENUM value need a non-strict mode; TIMESTAMPs are written in +08:00.
      await scratch.exec("SET SESSION sql_mode = '', SESSION time_zone = '+08:00'");
      for (const testCase of cases) {
        await scratch.exec(
          `CREATE TABLE ${quoteIdentifier(testCase.table)} (${testCase.ddl}) CHARACTER SET utf8mb4`,
        );
        await scratch.exec(
          `INSERT INTO ${quoteIdentifier(testCase.table)} VALUES ${testCase.inserts.join(', ')}`,
        );
      }
      await scratch.exec("SET SESSION time_zone = '+00:00'");
    });

    it.each(cases.map((testCase) => [testCase.table, testCase] as const))(
      '%s',
      async (_name, testCase) => {
        const { rows } = await collect({
          tables: [{ database: scratch.name, table: testCase.table }],
          chunkSize: 2,
        });
        expect(rows).toEqual(testCase.expected);
      },
    );
  });

  describe('names with unicode, reserved words, backticks and mixed case', () => {
    const table = 'Wéird `Tab` 表';
    beforeAll(async () => {
      await scratch.exec(
        `CREATE TABLE ${quoteIdentifier(table)} (\`order\` INT NOT NULL, \`Mixed Case\` VARCHAR(20) NOT NULL,
           \`名字\` VARCHAR(20), \`back\`\`tick\` INT, PRIMARY KEY (\`order\`, \`Mixed Case\`))`,
      );
      await scratch.exec(
        `INSERT INTO ${quoteIdentifier(table)} VALUES (1, 'a', '张三', 1), (1, 'B', '李四', 2), (2, 'a', NULL, 3), (3, 'c', 'x', 4)`,
      );
    });

    it('reads the table in key order, filtered, in chunks of one row', async () => {
      const { rows } = await collect({
        tables: [
          { database: scratch.name, table, filter: '`back``tick` <> 3 AND `名字` IS NOT NULL' },
        ],
        chunkSize: 1,
      });
      expect(rows).toEqual([
        ['1', 'a', '张三', '1'],
        ['1', 'B', '李四', '2'],
        ['3', 'c', 'x', '4'],
      ]);
    });
  });

  describe('chunked reading', () => {
    // LINES is a reserved word.
    const table = 'lines';
    const total = 5000;
    let expected: Array<Array<string | null>>;
    beforeAll(async () => {
      await scratch.exec(
        `CREATE TABLE ${quoteIdentifier(table)} (a INT NOT NULL, b VARCHAR(10) NOT NULL COLLATE utf8mb4_general_ci,
           v DECIMAL(10,2), PRIMARY KEY (a, b))`,
      );
      await scratch.exec(
        `INSERT INTO ${quoteIdentifier(table)} SELECT seq DIV 7, CONCAT(CHAR(65 + seq MOD 7), IF(seq MOD 2, 'x', 'Y')), seq / 4
           FROM seq_1_to_${total}`,
      );
      const [rows] = await scratch.admin.connection.query({
        sql: `SELECT a, b, v FROM ${quoteIdentifier(table)} ORDER BY a, b`,
        rowsAsArray: true,
      });
      expected = (rows as unknown as unknown[][]).map((row) =>
        row.map((cell) => (cell === null ? null : String(cell))),
      );
    });

    it.each([1, 3])('equals the table with concurrency %i', async (concurrency) => {
      const { rows, checkpoints, items } = await collect({
        tables: [{ database: scratch.name, table }],
        chunkSize: 333,
        concurrency,
      });
      expect(rows.length).toBe(total);
      expect(rows).toEqual(expected);
      expect(checkpoints.length).toBeGreaterThanOrEqual(Math.ceil(total / 333));
      expect(items.at(-2)).toMatchObject({ kind: 'table-done', rowsEmitted: total });
    });

    it('applies the filter in SQL', async () => {
      const { rows } = await collect({
        tables: [{ database: scratch.name, table, filter: "a % 2 = 0 AND b LIKE 'a%'" }],
        chunkSize: 100,
        concurrency: 2,
      });
      expect(rows).toEqual(
        expected.filter((row) => Number(row[0]) % 2 === 0 && /^a/i.test(String(row[1]))),
      );
    });

    it('resumes after the last acknowledged chunk: no row lost, at most one chunk read again', async () => {
      // Read until the fifth chunk is out, acknowledging only the first four, then stop.
      const seen: Array<Array<string | null>> = [];
      let acknowledged: SnapshotResumePoint | null = null;
      let chunks = 0;
      for await (const item of readSnapshot({
        connect: () => connectSource(sourceOptions()),
        tables: [{ database: scratch.name, table }],
        chunkSize: 250,
      })) {
        if (item.kind !== 'chunk') continue;
        chunks += 1;
        for (const row of item.event.rows) seen.push(row.map(show));
        if (chunks === 5) break;
        acknowledged = item.checkpoint;
      }
      expect(acknowledged?.lastKey).not.toBeNull();
      const resumed = await collect({
        tables: [{ database: scratch.name, table }],
        chunkSize: 250,
        resumeFrom: acknowledged,
      });
      const all = [...seen, ...resumed.rows];
      const unique = new Map(all.map((row) => [JSON.stringify(row.slice(0, 2)), row]));
      expect([...unique.values()].sort(compareRows)).toEqual(expected);
      expect(all.length - total).toBeLessThanOrEqual(250);
      expect(resumed.rows[0]).toEqual(expected[4 * 250]);
    });
  });

  describe('tables without a usable key', () => {
    const table = 'keyless';
    beforeAll(async () => {
      await scratch.exec(`CREATE TABLE ${table} (a INT, b VARCHAR(10), UNIQUE KEY (a))`);
      await scratch.exec(
        `INSERT INTO ${table} SELECT IF(seq MOD 10 = 0, NULL, seq), 'dup' FROM seq_1_to_1000`,
      );
    });

    it('reads them in one pass and resumes by skipping the rows already emitted', async () => {
      const first = await collect({ tables: [{ database: scratch.name, table }], chunkSize: 128 });
      expect(first.rows.length).toBe(1000);
      expect(first.checkpoints.every((checkpoint) => checkpoint.lastKey === null)).toBe(true);
      const third = first.checkpoints[2] as SnapshotResumePoint;
      expect(third.rowsEmitted).toBe(384);
      const resumed = await collect({
        tables: [{ database: scratch.name, table }],
        chunkSize: 128,
        resumeFrom: third,
      });
      expect([...first.rows.slice(0, 384), ...resumed.rows]).toEqual(first.rows);
    });
  });

  describe('bad inputs', () => {
    it('refuses a malicious filter before reading', async () => {
      await scratch.exec('CREATE TABLE victims (id INT PRIMARY KEY)');
      await expect(
        collect({
          tables: [{ database: scratch.name, table: 'victims', filter: 'id = 1 OR SLEEP(5)' }],
        }),
      ).rejects.toMatchObject({ code: 'FILTER_NOT_ALLOWED' });
      await expect(
        collect({
          tables: [{ database: scratch.name, table: 'victims', filter: '1=1; DROP TABLE victims' }],
        }),
      ).rejects.toMatchObject({ code: 'FILTER_NOT_ALLOWED' });
      const [rows] = await scratch.admin.connection.query(`SHOW TABLES LIKE 'victims'`);
      expect(rows).toHaveLength(1);
    });

    it('reports a missing table as SOURCE_TABLE_NOT_FOUND', async () => {
      await expect(
        collect({ tables: [{ database: scratch.name, table: 'nope' }] }),
      ).rejects.toMatchObject({
        code: 'SOURCE_TABLE_NOT_FOUND',
      });
    });

    it('refuses a checkpoint for a table outside the task', async () => {
      const checkpoint: SnapshotResumePoint = {
        version: 1,
        database: scratch.name,
        table: 'elsewhere',
        lastKey: null,
        rowsEmitted: 0,
        isTableDone: false,
        position: null,
        startPosition: null,
      };
      await expect(
        collect({ tables: [{ database: scratch.name, table: 'victims' }], resumeFrom: checkpoint }),
      ).rejects.toMatchObject({ code: 'SNAPSHOT_CHECKPOINT_INVALID' });
    });
  });
});

function compareRows(a: Array<string | null>, b: Array<string | null>): number {
  const byA = Number(a[0]) - Number(b[0]);
  if (byA !== 0) return byA;
  const x = String(a[1]).toLowerCase();
  const y = String(b[1]).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
