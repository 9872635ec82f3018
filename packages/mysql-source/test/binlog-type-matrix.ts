/**
 * The type matrix for the binlog tests: one table per type family with edge values. The stream
 * decodes the inserts (and an update and a delete of each row) and every value must equal what
 * `SELECT` returns, canonicalised as the snapshot does it. Shared by the FULL and the MINIMAL
 * `binlog_row_metadata` test files.
 */
import { expect } from 'vitest';
import type { ChangeEvent, RowImage } from '@tidewater/change-events';
import type { ServerInfo } from '../src/flavour';
import { quoteIdentifier } from '../src/identifiers';
import {
  isCommitCount,
  openTestStream,
  selectCanonical,
  show,
  startPosition,
} from './binlog-fixture';
import type { ScratchDatabase } from './source-fixture';

export interface TypeCase {
  table: string;
  columns: string;
  rows: string[];
  /** Session sql_mode for the inserts (zero dates and invalid ENUMs need a lax one). */
  sqlMode?: string;
  /** The columns the rows list, when not all of them (generated columns take no value). */
  columnNames?: string;
  /** Types only MariaDB has (UUID, INET4, INET6): left out on other servers. */
  isMariadbOnly?: boolean;
}

/** `'p1','p2',…` for ENUM and SET member lists. */
function range(count: number, prefix: string): string {
  return Array.from({ length: count }, (_, i) => `'${prefix}${i + 1}'`).join(',');
}

export const typeCases: TypeCase[] = [
  {
    table: 'integers',
    columns: `ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT,
              miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
              z INT(6) UNSIGNED ZEROFILL, b BOOL`,
    rows: [
      '-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, FALSE',
      '127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 42, TRUE',
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'decimals',
    columns: `d1 DECIMAL(65,30), d2 DECIMAL(10,2) UNSIGNED, d3 DECIMAL(5,0), d4 DECIMAL(18,9),
              d5 DECIMAL(4,4), d6 DECIMAL(6,3), d7 DECIMAL(30,20), d8 DECIMAL(20,10)`,
    rows: [
      "'99999999999999999999999999999999999.999999999999999999999999999999', 99999999.99, 99999, 123456789.123456789, 0.9999, 999.999, 9999999999.99999999999999999999, 9999999999.9999999999",
      "'-99999999999999999999999999999999999.999999999999999999999999999999', 0, -99999, -0.000000001, -0.0001, -999.999, -0.00000000000000000001, -12.5",
      '0, 0.01, 0, 0, 0, 0, 0, 0',
      '1, 5.00, 1, 1.000000000, 0.5000, 1.000, 0.1, 100',
      '0.000000000000000000000000000001, 5.10, -1, 1.000000001, 0.0010, 1.500, 1.00000000000000000001, 0.0000000001',
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'floats',
    columns: 'f FLOAT, fu FLOAT UNSIGNED, d DOUBLE, r REAL',
    rows: [
      '1.5, 3.40282e38, 1.7976931348623157e308, 0.1',
      '-3.25, 0, 2.2250738585072014e-308, -1e-300',
      '1.17549e-38, 16777217, 123456789.123456789, 0',
      '1.401298464324817e-45, 3.4028234663852886e38, 4.9e-324, -1.7976931348623157e308',
      'NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'bits',
    columns: 'b1 BIT(1), b5 BIT(5), b12 BIT(12), b64 BIT(64)',
    rows: [
      "b'1', b'10101', b'100000000001', x'FFFFFFFFFFFFFFFF'",
      "b'0', b'0', b'0', b'0'",
      'NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'temporals',
    columns: `y YEAR, d DATE, dt DATETIME, dt3 DATETIME(3), dt6 DATETIME(6), ts TIMESTAMP NULL,
              ts2 TIMESTAMP(2) NULL, ts6 TIMESTAMP(6) NULL, t TIME, t1 TIME(1), t4 TIME(4), t6 TIME(6)`,
    sqlMode: 'NO_ENGINE_SUBSTITUTION',
    rows: [
      "1901, '1000-01-01', '1000-01-01 00:00:00', '2024-02-29 12:34:56.789', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '2000-01-01 00:00:00.01', '2038-01-19 03:14:07.999999', '-838:59:59', '-00:00:01.5', '-12:34:56.1234', '838:59:59.000000'",
      "2155, '9999-12-31', '9999-12-31 23:59:59', '1999-12-31 23:59:59.999', '2024-02-29 00:00:00.000001', '2038-01-19 03:14:07', '2024-06-30 12:00:00.99', '1999-01-01 00:00:00.5', '838:59:59', '00:00:00.9', '-00:00:00.0001', '-838:59:58.999999'",
      "0, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '2024-01-15 10:20:30.5', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '00:00:00', '00:00:00', '00:00:00', '-00:00:00.000001'",
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'texts',
    columns: `v VARCHAR(100), c CHAR(10), long_v VARCHAR(300), wide_c CHAR(255), t TEXT, mt MEDIUMTEXT,
              l VARCHAR(20) CHARACTER SET latin1, lc CHAR(5) CHARACTER SET latin1,
              g VARCHAR(20) CHARACTER SET gbk, u3 VARCHAR(10) CHARACTER SET utf8mb3`,
    rows: [
      "'héllo 😀 𝄞', 'abc', REPEAT('ü', 300), REPEAT('字', 255), 'text 😀', REPEAT('x', 70000), 'café €‚ƒ', 'Ÿ€', '你好，世界', 'ß∑'",
      "'', '', '', '', '', '', '', '', '', ''",
      "'  spaced  ', 'trail  ', 'a', 'b', ' ', 'y', 'x ', ' ', ' 中 ', 'é'",
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    // Other charsets than utf8mb4, each decoded with its own table (charset.ts).
    table: 'charsets',
    columns: `b5 VARCHAR(10) CHARACTER SET big5, w VARCHAR(10) CHARACTER SET cp1251,
              u2 VARCHAR(10) CHARACTER SET ucs2, u16 VARCHAR(10) CHARACTER SET utf16,
              sj VARCHAR(10) CHARACTER SET sjis, tl TEXT CHARACTER SET latin1, tt TINYTEXT,
              lt LONGTEXT CHARACTER SET gbk`,
    rows: [
      "'中文', 'Привет', 'ü€', 'a😀', 'ｱｲ日本', 'café ÿ‰', 'tiny', '汉字'",
      "'', '', '', '', '', '', '', ''",
      'NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'binaries',
    columns:
      'b BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, lb LONGBLOB, cb CHAR(3) CHARACTER SET binary',
    rows: [
      "'ab', x'00ff00', x'', x'DEADBEEF', REPEAT(x'01', 100000), 'z'",
      "x'00000000', '', 'x', '', '', x'000000'",
      "x'61626364', x'FF', NULL, x'00', x'00', 'abc'",
      'NULL, NULL, NULL, NULL, NULL, NULL',
    ],
  },
  {
    table: 'choices',
    columns:
      "e ENUM('a','b','it''s','ü'), s SET('x','y','z','w'), big SET('a1','a2','a3','a4','a5','a6','a7','a8','a9')",
    sqlMode: 'NO_ENGINE_SUBSTITUTION',
    rows: [
      "'b', 'x,z', 'a1,a9'",
      "'ü', '', ''",
      "'', 'y,w,x', 'a8'",
      "'it''s', 'x,y,z,w', 'a2,a3'",
      'NULL, NULL, NULL',
    ],
  },
  {
    // ENUM with more than 255 members (a 2-byte index), SET with 64 (an 8-byte bitmap).
    table: 'wide_choices',
    columns: `e ENUM(${range(300, 'm')}), s SET(${range(64, 'b')})`,
    rows: ["'m300', 'b1,b64'", "'m1', 'b8,b9,b63'", "'m256', ''", 'NULL, NULL'],
  },
  {
    // Generated and invisible columns are in the binlog and in the snapshot's SELECT alike.
    table: 'generated',
    columns: `a INT, v INT AS (a * 2) VIRTUAL, s VARCHAR(20) AS (CONCAT('x', a)) STORED,
              h INT INVISIBLE DEFAULT 7, f7 FLOAT(7,4), d10 DOUBLE(10,2)`,
    columnNames: 'id, a, h, f7, d10',
    rows: ['5, 9, 1.2345, 12345678.91', '-3, NULL, -999.9999, -0.01', 'NULL, 7, 0, 0'],
  },
  {
    table: 'jsons',
    columns: 'j JSON',
    rows: [
      `'{"a": [1, 2.5, {"b": null}], "c": "é😀", "d": true}'`,
      `'[]'`,
      `'"just a string"'`,
      `'{"k":1}'`,
      `'{"b": 1e20, "a": 0.1, "c": -0.0}'`,
      'NULL',
    ],
  },
  {
    table: 'geometries',
    columns: 'g GEOMETRY, p POINT',
    rows: [
      "ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), ST_GeomFromText('POINT(1.5 -2)')",
      "ST_GeomFromText('LINESTRING(0 0,1 1)', 4326), ST_GeomFromText('POINT(0 0)', 4326)",
      'NULL, NULL',
    ],
  },
  {
    // MariaDB logs these as BINARY(16)/BINARY(4) bytes (the in-memory form, trailing zero bytes
    // stripped); SELECT prints them as text.
    table: 'mariadb_types',
    columns: 'u UUID, i4 INET4, i6 INET6',
    isMariadbOnly: true,
    rows: [
      "'123e4567-e89b-12d3-a456-426655440000', '192.168.0.1', '2001:db8::1'",
      "'ffffffff-ffff-6fff-bfff-ffffffffffff', '0.0.0.0', '::ffff:1.2.3.4'",
      "'00000000-0000-0000-0000-000000000000', '255.255.255.255', '::'",
      "'6ccd780c-baba-1026-9564-5b8c656024db', '10.0.0.0', '1:0:2:0:0:3:0:4'",
      "'01000000-0000-0000-0000-000000000000', '0.0.0.1', '::1.2.3.4'",
      'NULL, NULL, NULL',
    ],
  },
];

/** The INSERT of a case's rows (`values` already numbered with their ids). */
export function insertStatement(typeCase: TypeCase, values: string): string {
  const columns = typeCase.columnNames === undefined ? '' : ` (${typeCase.columnNames})`;
  return `INSERT INTO ${quoteIdentifier(typeCase.table)}${columns} VALUES ${values}`;
}

/** The cases the server can create: UUID needs MariaDB 10.7, INET4 10.10. */
export function typeCasesFor(server: ServerInfo): TypeCase[] {
  const hasMariadbTypes =
    server.flavour === 'mariadb' &&
    (server.major > 10 || (server.major === 10 && server.minor >= 10));
  return typeCases.filter((typeCase) => hasMariadbTypes || typeCase.isMariadbOnly !== true);
}

/** Creates the tables after `start`, inserts, updates, deletes; checks the stream against SELECT. */
export async function checkTypeMatrix(scratch: ScratchDatabase): Promise<void> {
  const start = await startPosition(scratch.admin.connection);
  const test = await openTestStream(start, { databases: [scratch.name], source: scratch.source });
  const typeCases = typeCasesFor(scratch.admin.server);
  try {
    let commits = 0;
    for (const typeCase of typeCases) {
      await scratch.exec(
        `CREATE TABLE ${quoteIdentifier(typeCase.table)} (id INT PRIMARY KEY, ${typeCase.columns}) DEFAULT CHARSET=utf8mb4`,
      );
      if (typeCase.sqlMode !== undefined)
        await scratch.exec('SET SESSION sql_mode = ?', [typeCase.sqlMode]);
      const values = typeCase.rows.map((row, i) => `(${i + 1}, ${row})`).join(', ');
      await scratch.exec(insertStatement(typeCase, values));
      await scratch.exec('SET SESSION sql_mode = DEFAULT');
      commits += 1;
    }
    const events = await test.readUntil(isCommitCount(commits));
    for (const typeCase of typeCases) {
      const expected = (
        await selectCanonical(scratch.admin.connection, scratch.name, typeCase.table, 'id')
      ).map((row) => row.map(show));
      const decoded = inserted(events, typeCase.table).map((row) => row.map(show));
      expect(decoded, typeCase.table).toHaveLength(typeCase.rows.length);
      expect(decoded, typeCase.table).toEqual(expected);
    }
    // Updates carry before and after images; deletes the last image.
    for (const typeCase of typeCases) {
      await scratch.exec(`UPDATE ${quoteIdentifier(typeCase.table)} SET id = id + 100`);
      await scratch.exec(`DELETE FROM ${quoteIdentifier(typeCase.table)}`);
    }
    const more = await test.readUntil(isCommitCount(commits + 2 * typeCases.length));
    for (const typeCase of typeCases) {
      const updates = more.flatMap((e) =>
        e.kind === 'update' && e.schema.table === typeCase.table ? e.rows : [],
      );
      const deletes = more.flatMap((e) =>
        e.kind === 'delete' && e.schema.table === typeCase.table ? e.rows : [],
      );
      const original = inserted(events, typeCase.table);
      expect(
        updates.map((pair) => pair.before.map(show)),
        typeCase.table,
      ).toEqual(original.map((row) => row.map(show)));
      expect(updates.map((pair) => pair.after.slice(1).map(show))).toEqual(
        original.map((row) => row.slice(1).map(show)),
      );
      expect(deletes.map((row) => row[0])).toEqual(
        original.map((row) => String(Number(row[0]) + 100)),
      );
    }
    expect(test.warnings.filter((w) => w.code !== 'SOURCE_RECONNECTING')).toEqual([]);
  } finally {
    test.close();
  }
}

function inserted(events: ChangeEvent[], table: string): RowImage[] {
  return events.flatMap((event) =>
    event.kind === 'insert' && event.schema.table === table ? event.rows : [],
  );
}
