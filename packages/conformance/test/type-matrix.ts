/**
 * The type matrix of the conformance suites: one table per MySQL/MariaDB type family, with
 * edge values and NULLs, as SQL the tests run against the source. Row values are SQL
 * expressions; every table has `id INT PRIMARY KEY` first.
 */
import type mysql from 'mysql2/promise';

export interface TypeTable {
  table: string;
  /** Column definitions after `id`. */
  columns: string;
  /** One SQL value list per row (without the id). */
  rows: string[];
  /** Session sql_mode for writes (zero dates and out-of-range values need a lax one). */
  sqlMode?: string;
}

const lax = 'NO_ENGINE_SUBSTITUTION';

export const typeTables: TypeTable[] = [
  {
    table: 'integers',
    columns: `ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT,
              miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
              z INT(6) UNSIGNED ZEROFILL, b BOOL`,
    rows: [
      '-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, FALSE',
      '127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 42, TRUE',
      '1, 128, -1, 32768, -1, 8388608, -1, 2147483648, -1, 9223372036854775808, 7, 1',
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'decimals',
    columns:
      'd1 DECIMAL(65,30), d2 DECIMAL(10,2) UNSIGNED, d3 DECIMAL(5,0), d4 DECIMAL(18,9), d5 DECIMAL(4,4), d6 DECIMAL(6,3)',
    rows: [
      "'99999999999999999999999999999999999.999999999999999999999999999999', 99999999.99, 99999, 123456789.123456789, 0.9999, 999.999",
      "'-99999999999999999999999999999999999.999999999999999999999999999999', 0, -99999, -0.000000001, -0.0001, -1.5",
      '1, 5.00, 0, 0, 0, 1.000',
      "'0.000000000000000000000000000001', 1.50, 1, 1.100000000, 0.1000, 0.010",
      'NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'floats',
    columns: 'f FLOAT, fu FLOAT UNSIGNED, d DOUBLE, r REAL',
    rows: [
      '1.5, 3.40282e38, 1.7976931348623157e308, 0.1',
      '-3.25, 0, 2.2250738585072014e-308, -1e-300',
      '1.17549e-38, 16777217, 123456789.123456789, 0',
      '100, 1e20, 1e21, 12345678901234567890',
      // Float.MIN_NORMAL, 2e23 and 1e23: JDK 8-18 print one digit more than JDK 19+.
      '1.1754943508222875e-38, 1, 2e23, 1e23',
      'NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'bits',
    columns: 'b1 BIT(1), b5 BIT(5), b12 BIT(12), b64 BIT(64)',
    rows: [
      "b'1', b'10101', b'100000000001', x'FFFFFFFFFFFFFFFF'",
      "b'0', b'0', b'0', b'0'",
      "b'1', b'11111', b'111111111111', x'7FFFFFFFFFFFFFFF'",
      'NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'temporals',
    columns: `y YEAR, d DATE, dt DATETIME, dt3 DATETIME(3), dt6 DATETIME(6), ts TIMESTAMP NULL,
              ts2 TIMESTAMP(2) NULL, ts6 TIMESTAMP(6) NULL, t TIME, t1 TIME(1), t4 TIME(4), t6 TIME(6)`,
    sqlMode: lax,
    rows: [
      "1901, '1000-01-01', '1000-01-01 00:00:00', '2024-02-29 12:34:56.789', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '2000-01-01 00:00:00.01', '2038-01-19 03:14:07.999999', '-838:59:59', '-00:00:01.5', '-12:34:56.1234', '838:59:59.000000'",
      "2155, '9999-12-31', '9999-12-31 23:59:59', '1999-12-31 23:59:59.999', '2024-02-29 00:00:00.000001', '2038-01-19 03:14:07', '2024-06-30 12:00:00.99', '1999-01-01 00:00:00.5', '838:59:59', '00:00:00.9', '-00:00:00.0001', '-838:59:58.999999'",
      "0, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '00:00:00', '00:00:00', '00:00:00', '-00:00:00.000001'",
      "2024, '2024-03-10', '2024-03-10 02:30:00', '2024-03-10 02:30:00.100', '2024-01-15 10:20:30.5', '2024-03-10 10:30:00', '2024-11-03 06:30:00.25', '2024-11-03 05:30:00.123456', '23:59:59', '24:00:00.5', '100:00:00.0001', '12:00:00.000001'",
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'texts',
    columns: `v VARCHAR(100), c CHAR(10), long_v VARCHAR(300), wide_c CHAR(255), tt TINYTEXT, t TEXT,
              mt MEDIUMTEXT, lt LONGTEXT, l VARCHAR(20) CHARACTER SET latin1,
              lc CHAR(5) CHARACTER SET latin1, g VARCHAR(20) CHARACTER SET gbk,
              u3 VARCHAR(10) CHARACTER SET utf8mb3, a VARCHAR(10) CHARACTER SET ascii`,
    rows: [
      "'héllo 😀 𝄞', 'abc', REPEAT('ü', 300), REPEAT('字', 255), 'tiny ☃', 'text 😀', REPEAT('x', 20000), 'long\\nline\\ttab \"quoted\" \\\\ back', 'plain', 'abc', 'plain', 'plain', 'plain'",
      "'', '', '', '', '', '', '', '', '', '', '', '', ''",
      "'  spaced  ', 'trail  ', 'a', 'b', ' ', ' ', 'y', 'z', 'x ', ' ', ' ', 'é', 'x '",
      "'\\0nul', 'c', 'd', 'e', 'f', '\\u', 'g', 'h', 'café €‚ƒ', 'Ÿ€', '你好，世界', 'ß∑', '~'",
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'binaries',
    columns:
      'b BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, cb CHAR(3) CHARACTER SET binary',
    rows: [
      "'ab', x'00ff00', x'', x'DEADBEEF', REPEAT(x'01', 30000), x'00', 'z'",
      "x'00000000', '', 'x', '', '', '', x'000000'",
      "x'61626364', x'FF', NULL, x'00', x'C3A9', x'80FF', 'abc'",
      "x'00610000', x'0061', x'ff00', x'0000', x'7f', x'e282ac', x'610000'",
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'choices',
    columns:
      "e ENUM('a','b','it''s','ü'), s SET('x','y','z','w'), big SET('a1','a2','a3','a4','a5','a6','a7','a8','a9')",
    sqlMode: lax,
    rows: [
      "'b', 'x,z', 'a1,a9'",
      "'ü', '', ''",
      "'', 'y,w,x', 'a8'",
      "'it''s', 'x,y,z,w', 'a2,a3'",
      'NULL, NULL, NULL',
    ],
  },
  {
    table: 'jsons',
    columns: 'j JSON',
    rows: [
      `'{"a": [1, 2.5, {"b": null}], "c": "é😀", "d": true}'`,
      `'[]'`,
      `'"just a string"'`,
      `'{"big": 1e20, "neg": -0.5, "int": 12345678901234567890}'`,
      'NULL',
    ],
  },
  {
    table: 'geometries',
    columns: 'g GEOMETRY, p POINT, ls LINESTRING, pg POLYGON',
    rows: [
      "ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), ST_GeomFromText('POINT(1.5 -2)'), ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'), ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')",
      "ST_GeomFromText('LINESTRING(0 0,1 1)', 4326), ST_GeomFromText('POINT(0 0)', 4326), NULL, NULL",
      'NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'mariadb_types',
    columns: 'u UUID, i4 INET4, i6 INET6',
    rows: [
      "'123e4567-e89b-12d3-a456-426614174000', '192.168.0.1', '2001:db8::ff00:42:8329'",
      "'00000000-0000-0000-0000-000000000000', '0.0.0.0', '::'",
      "'ffffffff-ffff-ffff-ffff-ffffffffffff', '255.255.255.255', '::ffff:10.0.0.1'",
      'NULL, NULL, NULL',
    ],
  },
];

/** `col1, col2, …` of a table's columns after `id`, from its definitions. */
export function columnNames(table: TypeTable): string[] {
  // Split on commas outside parentheses and quotes.
  const names: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const character of table.columns) {
    if (character === "'") quoted = !quoted;
    if (!quoted && character === '(') depth += 1;
    if (!quoted && character === ')') depth -= 1;
    if (!quoted && depth === 0 && character === ',') {
      names.push(current.trim().split(/\s+/)[0]!);
      current = '';
    } else {
      current += character;
    }
  }
  names.push(current.trim().split(/\s+/)[0]!);
  return names;
}

const quote = (name: string) => `\`${name}\``;

export function createTableSql(table: TypeTable): string {
  return `CREATE TABLE ${quote(table.table)} (id INT PRIMARY KEY, ${table.columns}) DEFAULT CHARSET=utf8mb4`;
}

/** One multi-row INSERT of the table's rows, ids `firstId`, `firstId + 1`, … */
export function insertRowsSql(table: TypeTable, firstId: number, rows = table.rows): string {
  return `INSERT INTO ${quote(table.table)} (id, ${columnNames(table).map(quote).join(', ')}) VALUES ${rows
    .map((row, i) => `(${firstId + i}, ${row})`)
    .join(', ')}`;
}

/**
 * One multi-row UPDATE of every column: the row with id `i + 1` takes the values of row
 * `i + 2` (the last the first's), through INSERT … ON DUPLICATE KEY UPDATE.
 */
export function rotateRowsSql(table: TypeTable): string {
  const columns = columnNames(table).map(quote);
  const rotated = table.rows.map((_, i) => table.rows[(i + 1) % table.rows.length]!);
  return `${insertRowsSql(table, 1, rotated)} ON DUPLICATE KEY UPDATE ${columns
    .map((column) => `${column} = VALUES(${column})`)
    .join(', ')}`;
}

/** Runs `work` in the table's sql_mode (zero dates and out-of-range values need a lax one). */
export async function withSqlMode(
  session: mysql.Connection,
  table: TypeTable,
  work: () => Promise<void>,
): Promise<void> {
  if (table.sqlMode !== undefined) await session.query('SET SESSION sql_mode = ?', [table.sqlMode]);
  try {
    await work();
  } finally {
    if (table.sqlMode !== undefined) await session.query('SET SESSION sql_mode = DEFAULT');
  }
}
