/**
 * What the source holds, from `information_schema`: databases, tables and views with their
 * size estimates (the console's object tree and progress estimate), and each table's columns
 * and keys as a `TableSchema` (the snapshot's row layout and the binlog half's initial schema
 * history).
 *
 * `information_schema` compares names case-insensitively on some servers (MariaDB's name
 * columns use a `_general_ci` collation), so `Orders` and `orders` can both answer a lookup;
 * every lookup therefore also filters by exact name here.
 */

import type { ColumnSchema, TableSchema } from '@tidewater/change-events';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { TidewaterError } from '@tidewater/errors';
import { columnFamilyOf, integerBytesOf } from './canonical';

/** Schemas that belong to the server, never migrated and never shown. */
export const SYSTEM_DATABASES: ReadonlySet<string> = new Set([
  'information_schema',
  'performance_schema',
  'mysql',
  'sys',
  // PolarDB-X 2.0's own schemas (CDC bookkeeping, recycle bin, metadata).
  '__cdc__',
  '__recycle_bin__',
  'polardbx',
  'metadb',
]);

export interface DatabaseInfo {
  name: string;
  charset: string;
  collation: string;
}

export type ObjectType = 'table' | 'view';

export interface TableInfo {
  database: string;
  name: string;
  type: ObjectType;
  /** Storage engine; null for views. */
  engine: string | null;
  /** The server's estimate (`TABLE_ROWS`), not a count; null for views. */
  estimatedRows: number | null;
  /** Data bytes (`DATA_LENGTH`), an estimate; null for views. */
  dataBytes: number | null;
  /** Index bytes (`INDEX_LENGTH`), an estimate; null for views. */
  indexBytes: number | null;
  comment: string;
}

export interface ColumnInfo extends ColumnSchema {
  /** 1-based position in the table. */
  ordinal: number;
  /**
   * The default as SQL text, null when the column has none or defaults to NULL. MariaDB's
   * quoted literals are unquoted so both flavours read alike (`abc`, `0`, `current_timestamp()`).
   */
  defaultValue: string | null;
  collation: string | null;
  isAutoIncrement: boolean;
  /** Computed column (`GENERATED ALWAYS AS`, VIRTUAL or STORED). */
  isGenerated: boolean;
  comment: string;
}

export interface KeyInfo {
  name: string;
  isPrimary: boolean;
  columns: string[];
  /** True when a column of the key is indexed by a prefix only (`KEY (name(10))`). */
  hasPrefixColumn: boolean;
  /** True when a column of the key may be NULL (then the key does not identify rows). */
  hasNullableColumn: boolean;
}

export interface TableDescription {
  table: TableInfo;
  schema: TableSchema;
  columns: ColumnInfo[];
  /** The primary key (if any) first, then unique keys by name. */
  uniqueKeys: KeyInfo[];
}

/** Databases a task can choose from, system schemas left out, sorted by name. */
export async function listDatabases(connection: Connection): Promise<DatabaseInfo[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT SCHEMA_NAME AS name, DEFAULT_CHARACTER_SET_NAME AS charset,
            DEFAULT_COLLATION_NAME AS collation
       FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME`,
  );
  return rows
    .filter((row) => !SYSTEM_DATABASES.has(String(row.name).toLowerCase()))
    .map((row) => ({
      name: String(row.name),
      charset: String(row.charset),
      collation: String(row.collation),
    }));
}

/** Tables and views of one database with size estimates, sorted by name. */
export async function listTables(connection: Connection, database: string): Promise<TableInfo[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `${TABLES_SELECT} WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
    [database],
  );
  return rows.filter((row) => row.database === database).flatMap(toTableInfo);
}

/** One table or view, or null when it does not exist (exact, case-sensitive name). */
export async function findTable(
  connection: Connection,
  database: string,
  table: string,
): Promise<TableInfo | null> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `${TABLES_SELECT} WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [database, table],
  );
  const row = rows.find((candidate) => candidate.database === database && candidate.name === table);
  return row === undefined ? null : (toTableInfo(row)[0] ?? null);
}

const TABLES_SELECT = `SELECT TABLE_SCHEMA AS \`database\`, TABLE_NAME AS name, TABLE_TYPE AS type,
       ENGINE AS engine, TABLE_ROWS AS estimatedRows, DATA_LENGTH AS dataBytes,
       INDEX_LENGTH AS indexBytes, TABLE_COMMENT AS comment
  FROM information_schema.TABLES`;

function toTableInfo(row: RowDataPacket): TableInfo[] {
  const tableType = String(row.type).toUpperCase();
  // MariaDB reports system-versioned tables with their own type; sequences are not data.
  const type: ObjectType | null =
    tableType === 'BASE TABLE' || tableType === 'SYSTEM VERSIONED'
      ? 'table'
      : tableType === 'VIEW'
        ? 'view'
        : null;
  if (type === null) return [];
  const isView = type === 'view';
  return [
    {
      database: String(row.database),
      name: String(row.name),
      type,
      engine: row.engine === null || isView ? null : String(row.engine),
      estimatedRows: isView ? null : nullableNumber(row.estimatedRows),
      dataBytes: isView ? null : nullableNumber(row.dataBytes),
      indexBytes: isView ? null : nullableNumber(row.indexBytes),
      comment: isView ? '' : String(row.comment ?? ''),
    },
  ];
}

/** Columns, keys and the `TableSchema` of one table or view; throws when it does not exist. */
export async function describeTable(
  connection: Connection,
  database: string,
  table: string,
): Promise<TableDescription> {
  const info = await findTable(connection, database, table);
  if (info === null) throw tableNotFound(database, table);
  const [columnRows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS \`database\`, TABLE_NAME AS \`table\`, COLUMN_NAME AS name,
            ORDINAL_POSITION AS ordinal, COLUMN_DEFAULT AS defaultValue,
            IS_NULLABLE AS isNullable, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
            NUMERIC_PRECISION AS numericPrecision, NUMERIC_SCALE AS numericScale,
            DATETIME_PRECISION AS datetimePrecision, CHARACTER_SET_NAME AS charset,
            COLLATION_NAME AS collation, EXTRA AS extra, COLUMN_COMMENT AS comment
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
      ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  const jsonColumns = await readMariaDbJsonColumns(connection, database, table);
  const columns = columnRows
    .filter((row) => row.database === database && row.table === table)
    .map((row) => toColumnInfo(row, jsonColumns));
  if (columns.length === 0) throw tableNotFound(database, table);

  const uniqueKeys =
    info.type === 'view' ? [] : await readUniqueKeys(connection, database, table, columns);
  const primary = uniqueKeys.find((key) => key.isPrimary);
  const schema: TableSchema = {
    database,
    table,
    columns: columns.map(toColumnSchema),
    primaryKey: primary === undefined ? [] : [...primary.columns],
    uniqueKeys: Object.fromEntries(
      uniqueKeys.filter((key) => !key.isPrimary).map((key) => [key.name, [...key.columns]]),
    ),
  };
  return { table: info, schema, columns, uniqueKeys };
}

/** The `TableSchema` of one table: the shape every row event of it carries. */
export async function readTableSchema(
  connection: Connection,
  database: string,
  table: string,
): Promise<TableSchema> {
  return (await describeTable(connection, database, table)).schema;
}

function toColumnSchema(column: ColumnInfo): ColumnSchema {
  return {
    name: column.name,
    dataType: column.dataType,
    columnType: column.columnType,
    family: column.family,
    nullable: column.nullable,
    unsigned: column.unsigned,
    precision: column.precision,
    scale: column.scale,
    charset: column.charset,
    // The row schema carries the collation of character columns only (JSON and binary
    // columns report one in information_schema too).
    collation: column.charset === null ? null : column.collation,
    members: column.members,
  };
}

const MARIADB_53_MARKER = / \/\* mariadb-5\.3 \*\/$/;

function toColumnInfo(row: RowDataPacket, jsonColumns: ReadonlySet<string>): ColumnInfo {
  const name = String(row.name);
  const dataType = String(row.dataType).toLowerCase();
  // MariaDB marks temporal columns still in its 5.3 format `datetime(3) /* mariadb-5.3 */`;
  // the marker is a comment in SHOW CREATE TABLE, not part of the type.
  const serverColumnType = String(row.columnType).replace(MARIADB_53_MARKER, '');
  const where = { table: `${String(row.database)}.${String(row.table)}`, column: name };
  // MariaDB's JSON is LONGTEXT with an automatic json_valid() check; the values are JSON text
  // either way, and the family tells the formats to label them JSON.
  const family = jsonColumns.has(name) ? 'json' : columnFamilyOf(dataType, where);
  const extra = String(row.extra ?? '').toLowerCase();
  const precision =
    family === 'integer'
      ? integerBytesOf(dataType)
      : family === 'decimal' || family === 'bit'
        ? nullableNumber(row.numericPrecision)
        : null;
  const scale =
    family === 'decimal'
      ? nullableNumber(row.numericScale)
      : family === 'time' || family === 'datetime' || family === 'timestamp'
        ? (nullableNumber(row.datetimePrecision) ?? 0)
        : null;
  const hasCharset =
    family === 'char' || family === 'text' || family === 'enum' || family === 'set';
  const members = family === 'enum' || family === 'set' ? parseMembers(serverColumnType) : null;
  // ENUM/SET labels as Canal prints them from its parse of SHOW CREATE TABLE: unescaped, with
  // quotes doubled: a label a-backslash-b, which the server prints with the backslash doubled,
  // is printed with one.
  const columnType =
    members === null
      ? serverColumnType
      : `${dataType}(${members.map((m) => `'${m.replaceAll("'", "''")}'`).join(',')})`;
  return {
    name,
    dataType,
    columnType,
    family,
    nullable: String(row.isNullable).toUpperCase() === 'YES',
    unsigned: /\bunsigned\b/i.test(columnType),
    precision,
    scale,
    charset: hasCharset && row.charset !== null ? String(row.charset) : null,
    members,
    ordinal: Number(row.ordinal),
    defaultValue: normaliseDefault(row.defaultValue),
    collation: row.collation === null ? null : String(row.collation),
    isAutoIncrement: extra.includes('auto_increment'),
    isGenerated: /\b(virtual|stored|persistent) generated\b|\bvirtual\b|\bpersistent\b/.test(extra),
    comment: String(row.comment ?? ''),
  };
}

/**
 * ENUM/SET members from `COLUMN_TYPE`: `enum('a','it''s','back\\slash')`. The server doubles
 * quotes and escapes backslashes when it prints the list.
 */
export function parseMembers(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const members: string[] = [];
  let index = open + 1;
  while (index > 0 && index < columnType.length) {
    const char = columnType[index];
    if (char === "'") {
      let value = '';
      index += 1;
      while (index < columnType.length) {
        const current = columnType[index] as string;
        if (current === "'" && columnType[index + 1] === "'") {
          value += "'";
          index += 2;
        } else if (current === "'") {
          index += 1;
          break;
        } else if (current === '\\' && index + 1 < columnType.length) {
          value += unescapeChar(columnType[index + 1] as string);
          index += 2;
        } else {
          value += current;
          index += 1;
        }
      }
      members.push(value);
    } else if (char === ')') {
      break;
    } else {
      index += 1;
    }
  }
  return members;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  Z: '\x1a',
};

function unescapeChar(char: string): string {
  return ESCAPES[char] ?? char;
}

function normaliseDefault(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  // MariaDB 10.2.7+ prints defaults as SQL expressions: NULL for none, quoted literals.
  if (text === 'NULL') return null;
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) {
    return text.slice(1, -1).replaceAll("''", "'").replaceAll('\\\\', '\\');
  }
  return text;
}

async function readUniqueKeys(
  connection: Connection,
  database: string,
  table: string,
  columns: readonly ColumnInfo[],
): Promise<KeyInfo[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS \`database\`, TABLE_NAME AS \`table\`, INDEX_NAME AS name,
            SEQ_IN_INDEX AS seq, COLUMN_NAME AS \`column\`, SUB_PART AS subPart
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [database, table],
  );
  const nullable = new Map(columns.map((column) => [column.name, column.nullable]));
  const byName = new Map<string, KeyInfo & { isFunctional: boolean }>();
  for (const row of rows) {
    if (row.database !== database || row.table !== table) continue;
    const name = String(row.name);
    const key = byName.get(name) ?? {
      name,
      isPrimary: name === 'PRIMARY',
      columns: [],
      hasPrefixColumn: false,
      hasNullableColumn: false,
      isFunctional: false,
    };
    byName.set(name, key);
    // MySQL 8 functional key parts have no column; such a key cannot identify a row image.
    if (row.column === null) {
      key.isFunctional = true;
      continue;
    }
    const column = String(row.column);
    key.columns.push(column);
    if (row.subPart !== null) key.hasPrefixColumn = true;
    if (nullable.get(column) === true) key.hasNullableColumn = true;
  }
  const keys = [...byName.values()]
    .filter((key) => !key.isFunctional)
    .map(({ isFunctional: _isFunctional, ...key }) => key);
  return keys.sort((a, b) =>
    a.isPrimary === b.isPrimary
      ? a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0
      : a.isPrimary
        ? -1
        : 1,
  );
}

/** Columns MariaDB created as JSON (LONGTEXT + `json_valid(col)` check); empty elsewhere. */
async function readMariaDbJsonColumns(
  connection: Connection,
  database: string,
  table: string,
): Promise<Set<string>> {
  let rows: RowDataPacket[];
  try {
    [rows] = await connection.query<RowDataPacket[]>(
      `SELECT TABLE_NAME AS \`table\`, CONSTRAINT_SCHEMA AS \`database\`, CHECK_CLAUSE AS clause
         FROM information_schema.CHECK_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? AND CHECK_CLAUSE LIKE 'json_valid(%'`,
      [database, table],
    );
  } catch (error) {
    // MySQL 5.7 has no CHECK_CONSTRAINTS and no JSON alias; MySQL 8's table has no TABLE_NAME.
    if (isUnknownTableOrColumn(error)) return new Set();
    throw error;
  }
  const names = new Set<string>();
  for (const row of rows) {
    if (row.database !== database || row.table !== table) continue;
    const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(row.clause).trim());
    if (match?.[1] !== undefined) names.add(match[1].replaceAll('``', '`'));
  }
  return names;
}

function isUnknownTableOrColumn(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    code === 'ER_UNKNOWN_TABLE' ||
    code === 'ER_BAD_FIELD_ERROR' ||
    code === 'ER_NO_SUCH_TABLE' ||
    code === 'ER_UNKNOWN_TABLE_IN_INFORMATION_SCHEMA'
  );
}

export function tableNotFound(database: string, table: string): TidewaterError {
  return new TidewaterError(
    'SOURCE_TABLE_NOT_FOUND',
    `Table ${database}.${table} does not exist on the source.`,
    {
      category: 'not_found',
      remedy:
        'Check the database and table names (they are case-sensitive on most servers), or refresh the object list and choose the table again.',
      details: { database, table },
    },
  );
}

function nullableNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
