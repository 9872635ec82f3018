/**
 * From what a `SELECT` returns over the text protocol to the canonical `CellValue` the binlog
 * decoder also produces (table in `@tidewater/change-events`).
 *
 * The text protocol already carries most types exactly as the canonical form wants them once
 * the session runs in UTC and mysql2 keeps dates, BIGINT, DECIMAL and JSON as text (see
 * connect.ts); what is left is done here, per cell, without building objects per row:
 * integers stay the server's decimal digits, DOUBLE text goes through `Number` (mysql2's own
 * fast float parser is not correctly rounded), binary values are copied out of the packet
 * buffer, GEOMETRY stays the server's SRID + WKB bytes. FLOAT and DOUBLE need help from the
 * SELECT list: the server prints FLOAT with 6 significant digits (16777217 prints as 16777200)
 * and FLOAT(M,D)/DOUBLE(M,D) with exactly D decimals (a stored -0.010000000000000009 prints as
 * -0.01), while the binlog carries the stored bits. So the snapshot selects `col * 1e0`: a
 * DOUBLE whose decimals come from the `1e0` literal (not fixed), printed with every digit
 * needed to read back the same double (`col + 0` would keep D decimals, and `+ 0e0` would turn
 * a stored -0 into 0); FLOAT results are narrowed back with `Math.fround`.
 */

import type { CellValue, ColumnFamily, ColumnSchema } from '@tidewater/change-events';
import type { TypeCast } from 'mysql2';
import { TidewaterError } from '@tidewater/errors';
import { quoteIdentifier } from './identifiers';

const FAMILY_BY_DATA_TYPE: Record<string, ColumnFamily> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'double',
  real: 'double',
  'double precision': 'double',
  bit: 'bit',
  year: 'year',
  date: 'date',
  datetime: 'datetime',
  timestamp: 'timestamp',
  time: 'time',
  char: 'char',
  varchar: 'char',
  // MariaDB's data types plugins print as text over the text protocol.
  inet4: 'char',
  inet6: 'char',
  uuid: 'char',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'blob',
  blob: 'blob',
  mediumblob: 'blob',
  longblob: 'blob',
  enum: 'enum',
  set: 'set',
  json: 'json',
  geometry: 'geometry',
  point: 'geometry',
  linestring: 'geometry',
  polygon: 'geometry',
  multipoint: 'geometry',
  multilinestring: 'geometry',
  multipolygon: 'geometry',
  geometrycollection: 'geometry',
  geomcollection: 'geometry',
};

const INTEGER_BYTES: Record<string, number> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
};

/** The family of a base type as `information_schema.COLUMNS.DATA_TYPE` names it. */
export function columnFamilyOf(
  dataType: string,
  where: { table: string; column: string },
): ColumnFamily {
  const family = FAMILY_BY_DATA_TYPE[dataType.toLowerCase()];
  if (family === undefined) {
    throw new TidewaterError(
      'SOURCE_UNSUPPORTED_COLUMN_TYPE',
      `Column ${where.column} of table ${where.table} has type "${dataType}", which Tidewater cannot migrate.`,
      {
        category: 'unsupported',
        remedy: 'Leave this table out of the task, or change the column to a supported type.',
        details: { ...where, dataType },
      },
    );
  }
  return family;
}

/** Storage bytes of an integer type (1, 2, 3, 4, 8); null for other types. */
export function integerBytesOf(dataType: string): number | null {
  return INTEGER_BYTES[dataType.toLowerCase()] ?? null;
}

/** The expression the snapshot selects for a column (see the FLOAT/DOUBLE note at the top). */
export function selectExpressionOf(column: ColumnSchema): string {
  const quoted = quoteIdentifier(column.name);
  return column.family === 'float' || column.family === 'double' ? `(${quoted} * 1e0)` : quoted;
}

const LEADING_ZEROS = /^0+(?=\d)/;

/**
 * mysql2 `typeCast` producing canonical values for a snapshot `SELECT`. Pass it per query (the
 * introspection queries keep mysql2's defaults).
 */
export const canonicalTypeCast: TypeCast = (field, next) => {
  switch (field.type) {
    case 'TINY':
    case 'SHORT':
    case 'INT24':
    case 'LONG':
    case 'LONGLONG':
    case 'DECIMAL':
    case 'NEWDECIMAL': {
      const text = field.string('latin1');
      // ZEROFILL columns print padded (`00042`); the canonical value is the plain number.
      return text !== null && text.charCodeAt(0) === 48 && text.length > 1
        ? text.replace(LEADING_ZEROS, '')
        : text;
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const text = field.string('latin1');
      return text === null ? null : Number(text);
    }
    case 'BIT':
    case 'GEOMETRY':
      return copyBuffer(field.buffer());
    case 'JSON':
      // MySQL labels JSON results with the binary charset; the text is always utf8mb4.
      return field.string('utf8');
    default: {
      const value: unknown = next();
      return Buffer.isBuffer(value) ? copyBuffer(value) : value;
    }
  }
};

// mysql2 returns binary values as views of the network buffer; copying keeps a held chunk from
// pinning whole socket reads in memory.
function copyBuffer(view: Buffer | null): Buffer | null {
  return view === null ? null : Buffer.from(view);
}

/**
 * Finishes a row in place where the typeCast cannot know the column: FLOAT columns arrive as
 * DOUBLE (`col * 1e0`) and are narrowed to their float32 value. Returns a function only when the
 * table has such columns, so the common table pays nothing per row.
 */
export function rowFinisherOf(
  columns: readonly ColumnSchema[],
): ((row: CellValue[]) => void) | null {
  const floatIndexes = columns.flatMap((column, index) =>
    column.family === 'float' ? [index] : [],
  );
  if (floatIndexes.length === 0) return null;
  return (row) => {
    for (const index of floatIndexes) {
      const value = row[index];
      if (typeof value === 'number') row[index] = Math.fround(value);
    }
  };
}
