/**
 * The statements the snapshot runs, built from a table's schema, its snapshot key and the last
 * key read. Pure, so every shape is unit-tested.
 *
 * Keyset pagination compares the key with the last key read in the key's own order, so every
 * literal must compare the way `ORDER BY` sorts the column: numbers unquoted (a quoted number
 * against a BIGINT compares as DOUBLE and loses digits), ENUM and SET as their numeric value
 * (they sort by index, not by label), BIT as its integer, binary values as hex literals,
 * strings and temporal values as quoted text (the server converts them to the column's
 * charset, collation or type).
 */

import type { CellValue, ColumnSchema, TableSchema } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import { selectExpressionOf } from './canonical';
import { quoteIdentifier, quoteTableName } from './identifiers';

/** A key value that survives JSON (checkpoints are stored as JSON): bytes as hex. */
export type KeyValue = string | number | { hex: string };

/** The columns a table is paged by: its primary key or a NOT NULL unique key. */
export interface SnapshotKey {
  /** Index name (`PRIMARY` or the unique key's name). */
  name: string;
  columns: ColumnSchema[];
  /** Positions of the key columns in the table's columns (and in every row image). */
  indexes: number[];
}

/** The families a key column may have: those with a total order we can write as a literal. */
const KEYABLE_FAMILIES = new Set<ColumnSchema['family']>([
  'integer',
  'decimal',
  'float',
  'double',
  'bit',
  'year',
  'date',
  'datetime',
  'timestamp',
  'time',
  'char',
  'text',
  'binary',
  'blob',
  'enum',
  'set',
]);

/**
 * The key to page a table by: the primary key, else the first unique key whose columns are all
 * NOT NULL and fully indexed (no prefix). Null when there is none: the table is read in one
 * pass.
 */
export function chooseSnapshotKey(
  schema: TableSchema,
  candidates: ReadonlyArray<{
    name: string;
    columns: string[];
    hasPrefixColumn: boolean;
    hasNullableColumn: boolean;
  }>,
): SnapshotKey | null {
  for (const candidate of candidates) {
    if (candidate.hasPrefixColumn || candidate.hasNullableColumn) continue;
    const indexes = candidate.columns.map((name) =>
      schema.columns.findIndex((column) => column.name === name),
    );
    if (indexes.some((index) => index < 0)) continue;
    const columns = indexes.map((index) => schema.columns[index] as ColumnSchema);
    if (columns.some((column) => !KEYABLE_FAMILIES.has(column.family))) continue;
    return { name: candidate.name, columns, indexes };
  }
  return null;
}

/** The select list: every column, in table order (FLOAT widened, see canonical.ts). */
export function selectListOf(schema: TableSchema): string {
  return schema.columns.map(selectExpressionOf).join(', ');
}

export interface ChunkQuery {
  schema: TableSchema;
  key: SnapshotKey;
  /** Rows with a key greater than this; null for the table's first chunk. */
  after: KeyValue[] | null;
  /** Rows with a key up to and including this; null for no upper bound. */
  upTo: KeyValue[] | null;
  /** The checked filter SQL (`RowFilter.sql`), or null. */
  filterSql: string | null;
  /** Row limit; null when the range bounds the chunk. */
  limit: number | null;
}

/** `SELECT … WHERE key > after [AND key <= upTo] [AND (filter)] ORDER BY key [LIMIT n]`. */
export function chunkSelectSql(query: ChunkQuery): string {
  const { schema, key } = query;
  const conditions: string[] = [];
  if (query.after !== null) conditions.push(keyComparison(key, query.after, '>'));
  if (query.upTo !== null) conditions.push(keyComparison(key, query.upTo, '<='));
  if (query.filterSql !== null) conditions.push(query.filterSql);
  return [
    `SELECT ${selectListOf(schema)} FROM ${quoteTableName(schema.database, schema.table)}`,
    conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`,
    ` ORDER BY ${orderByOf(key)}`,
    query.limit === null ? '' : ` LIMIT ${String(query.limit)}`,
  ].join('');
}

/**
 * The key of the `size`-th row after `after` (without the filter, so a chunk never holds more
 * than `size` rows however selective the filter is): the upper bound of a chunk read in
 * parallel. Reads only the key columns.
 */
export function chunkBoundarySql(
  schema: TableSchema,
  key: SnapshotKey,
  after: KeyValue[] | null,
  size: number,
): string {
  const columns = key.columns.map(selectExpressionOf).join(', ');
  const where = after === null ? '' : ` WHERE ${keyComparison(key, after, '>')}`;
  return `SELECT ${columns} FROM ${quoteTableName(schema.database, schema.table)}${where} ORDER BY ${orderByOf(key)} LIMIT 1 OFFSET ${String(size - 1)}`;
}

/** A full, unordered pass (tables without a usable key); `skip` rows left out on resume. */
export function fullScanSql(schema: TableSchema, filterSql: string | null, skip: number): string {
  const where = filterSql === null ? '' : ` WHERE ${filterSql}`;
  // LIMIT offset, 2^64-1 is MySQL's documented way to say "all rows from offset on".
  const limit = skip > 0 ? ` LIMIT ${String(skip)}, 18446744073709551615` : '';
  return `SELECT ${selectListOf(schema)} FROM ${quoteTableName(schema.database, schema.table)}${where}${limit}`;
}

function orderByOf(key: SnapshotKey): string {
  return key.columns.map((column) => quoteIdentifier(column.name)).join(', ');
}

/**
 * `key > v` or `key <= v` for a (possibly composite) key, written out as
 * `k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 > v2) …)` rather than a row constructor, which
 * not every server turns into an index range. The leading `k1 >=` gives the optimiser the range.
 */
export function keyComparison(
  key: SnapshotKey,
  values: readonly KeyValue[],
  operator: '>' | '<=',
): string {
  if (values.length !== key.columns.length) {
    throw new TidewaterError(
      'SNAPSHOT_CHECKPOINT_INVALID',
      `The checkpoint key has ${values.length} values but key ${key.name} has ${key.columns.length} columns.`,
      {
        category: 'conflict',
        remedy:
          "The table's key changed since the checkpoint; restart the full data migration of this table.",
      },
    );
  }
  const names = key.columns.map((column) => quoteIdentifier(column.name));
  const literals = key.columns.map((column, index) =>
    keyLiteral(column, values[index] as KeyValue),
  );
  const strict = operator === '>' ? '>' : '<';
  const first = `${names[0] as string} ${operator === '>' ? '>=' : '<='} ${literals[0] as string}`;
  if (names.length === 1) return `${names[0] as string} ${operator} ${literals[0] as string}`;
  const alternatives: string[] = [];
  for (let length = 1; length <= names.length; length += 1) {
    const equal = names
      .slice(0, length - 1)
      .map((name, index) => `${name} = ${literals[index] as string}`);
    const last = length - 1;
    equal.push(`${names[last] as string} ${strict} ${literals[last] as string}`);
    alternatives.push(`(${equal.join(' AND ')})`);
  }
  if (operator === '<=') {
    alternatives.push(
      `(${names.map((name, index) => `${name} = ${literals[index] as string}`).join(' AND ')})`,
    );
  }
  return `(${first} AND (${alternatives.join(' OR ')}))`;
}

const INTEGER_TEXT = /^-?\d+$/;
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;
const TEMPORAL_TEXT = /^-?[0-9:. -]+$/;

/** A key value as a SQL literal that compares the way the column sorts. */
export function keyLiteral(column: ColumnSchema, value: KeyValue): string {
  switch (column.family) {
    case 'integer':
    case 'year':
      return checked(column, value, INTEGER_TEXT);
    case 'decimal':
      return checked(column, value, DECIMAL_TEXT);
    case 'float':
    case 'double': {
      const number = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(number)) throw badKey(column, value);
      // An exponent makes it a DOUBLE literal, so the comparison is exact in binary.
      return number.toExponential();
    }
    case 'bit':
      return BigInt(`0x${bytesOf(column, value).toString('hex') || '0'}`).toString();
    case 'date':
    case 'datetime':
    case 'timestamp':
    case 'time':
      return `'${checked(column, value, TEMPORAL_TEXT)}'`;
    case 'char':
    case 'text':
      if (typeof value !== 'string') throw badKey(column, value);
      return stringLiteral(value);
    case 'binary':
    case 'blob':
      return `X'${bytesOf(column, value).toString('hex')}'`;
    case 'enum': {
      if (typeof value !== 'string') throw badKey(column, value);
      // Index 0 is the empty "invalid value" an ENUM stores for bad input in non-strict mode.
      const index = value === '' ? 0 : (column.members ?? []).indexOf(value) + 1;
      if (index < 0 || (index === 0 && value !== '')) throw badKey(column, value);
      return String(index);
    }
    case 'set': {
      if (typeof value !== 'string') throw badKey(column, value);
      const members = column.members ?? [];
      let mask = 0n;
      for (const label of value === '' ? [] : value.split(',')) {
        const index = members.indexOf(label);
        if (index < 0) throw badKey(column, value);
        mask |= 1n << BigInt(index);
      }
      return mask.toString();
    }
    case 'json':
    case 'geometry':
      throw badKey(column, value);
  }
}

/** The canonical cell of a key column as a JSON-safe key value. */
export function toKeyValue(value: CellValue): KeyValue {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (value === null) {
    throw new TidewaterError('SNAPSHOT_NULL_KEY', 'A key column of the snapshot returned NULL.', {
      category: 'internal',
      remedy: 'The key chosen for paging must be NOT NULL; report this with the table definition.',
    });
  }
  return value;
}

/** Identity of a row by its key values, for matching rows with change events. */
export function keyIdentity(values: readonly CellValue[]): string {
  let identity = '';
  for (const value of values) {
    if (Buffer.isBuffer(value)) identity += `b${value.toString('hex')}\u0001`;
    else if (value === null) identity += 'z\u0001';
    else if (typeof value === 'number') identity += `n${String(value)}\u0001`;
    else identity += `s${value.length}:${value}\u0001`;
  }
  return identity;
}

function checked(column: ColumnSchema, value: KeyValue, pattern: RegExp): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  if (!pattern.test(text)) throw badKey(column, value);
  return text;
}

function bytesOf(column: ColumnSchema, value: KeyValue): Buffer {
  if (typeof value !== 'object' || !/^([0-9a-f]{2})*$/i.test(value.hex))
    throw badKey(column, value);
  return Buffer.from(value.hex, 'hex');
}

/** A quoted string literal; the session runs without NO_BACKSLASH_ESCAPES (see connect.ts). */
export function stringLiteral(value: string): string {
  let escaped = '';
  for (const char of value) escaped += STRING_ESCAPES[char] ?? char;
  return `'${escaped}'`;
}

const STRING_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
};

function badKey(column: ColumnSchema, value: KeyValue): TidewaterError {
  return new TidewaterError(
    'SNAPSHOT_CHECKPOINT_INVALID',
    `The key value ${JSON.stringify(value)} does not fit column ${column.name} (${column.columnType}).`,
    {
      category: 'conflict',
      remedy:
        "The table's key changed since the checkpoint; restart the full data migration of this table.",
      details: { column: column.name },
    },
  );
}
