/**
 * Table definitions read from the source, in the shape the binlog stream tracks
 * (`TrackedTable`): the starting point of the schema history, and the fallback when a DDL in the
 * stream cannot be followed. Columns and keys come from introspection (`describeTable`), so the
 * stream's schemas equal the snapshot's; this file adds the default charsets the history needs
 * for columns that DDL adds later without naming one.
 */
import type { TableSchema } from '@tidewater/change-events';
import { isTidewaterError } from '@tidewater/errors';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { charsetOfCollationName, normalizeCharset } from './binlog/charset';
import {
  SchemaState,
  type SerializedSchemaHistory,
  type TrackedTable,
} from './binlog/schema-history';
import { readTableSchema, SYSTEM_DATABASES } from './introspect';

interface ServerFacts {
  serverCharset: string;
  isCaseInsensitive: boolean;
}

async function readServerFacts(connection: Connection): Promise<ServerFacts> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT @@character_set_server AS charset, @@lower_case_table_names AS lctn',
  );
  return {
    serverCharset: normalizeCharset(String(rows[0]?.charset ?? 'utf8mb4')),
    isCaseInsensitive: Number(rows[0]?.lctn ?? 0) !== 0,
  };
}

async function readTrackedTables(
  connection: Connection,
  facts: ServerFacts,
  where: string,
  values: string[],
): Promise<TrackedTable[]> {
  const [tables] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, TABLE_COLLATION AS collation
       FROM information_schema.TABLES
      WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND ${where}`,
    values,
  );
  const tracked: TrackedTable[] = [];
  for (const row of tables) {
    const database = String(row.db);
    const table = String(row.name);
    if (SYSTEM_DATABASES.has(database.toLowerCase())) continue;
    const schema = await readExistingTableSchema(connection, database, table);
    // Dropped between the listing and now: the state read is the later one, without it.
    if (schema === null) continue;
    tracked.push({
      schema,
      defaultCharset: row.collation
        ? charsetOfCollationName(String(row.collation))
        : facts.serverCharset,
      defaultCollation: row.collation ? String(row.collation) : null,
    });
  }
  return tracked;
}

async function readExistingTableSchema(
  connection: Connection,
  database: string,
  table: string,
): Promise<TableSchema | null> {
  try {
    return await readTableSchema(connection, database, table);
  } catch (error) {
    if (isTidewaterError(error) && error.code === 'SOURCE_TABLE_NOT_FOUND') return null;
    throw error;
  }
}

/**
 * Reads the schema history's starting state: every table of `databases` (all non-system
 * databases when omitted). Read it when the starting position is taken (the snapshot does), so
 * the two agree; a later read describes a later schema.
 */
export async function readSchemaHistory(
  connection: Connection,
  options: { databases?: string[] } = {},
): Promise<SerializedSchemaHistory> {
  const facts = await readServerFacts(connection);
  const databases = options.databases?.length ? options.databases : null;
  const placeholders = databases?.map(() => '?').join(', ') ?? '';
  const [schemata] = await connection.query<RowDataPacket[]>(
    `SELECT SCHEMA_NAME AS name, DEFAULT_CHARACTER_SET_NAME AS charset
       FROM information_schema.SCHEMATA${databases ? ` WHERE SCHEMA_NAME IN (${placeholders})` : ''}`,
    databases ?? [],
  );
  const tables = await readTrackedTables(
    connection,
    facts,
    databases ? `TABLE_SCHEMA IN (${placeholders})` : '1 = 1',
    databases ?? [],
  );
  return SchemaState.create({
    serverCharset: facts.serverCharset,
    isCaseInsensitive: facts.isCaseInsensitive,
    databases: Object.fromEntries(
      schemata
        .filter((row) => !SYSTEM_DATABASES.has(String(row.name).toLowerCase()))
        .map((row) => [String(row.name), normalizeCharset(String(row.charset))]),
    ),
    tables,
  }).toJSON();
}

/** Reads one table's current definition; null when it does not exist (any more). */
export async function readTrackedTable(
  connection: Connection,
  database: string,
  table: string,
): Promise<TrackedTable | null> {
  const facts = await readServerFacts(connection);
  const tables = await readTrackedTables(connection, facts, 'TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
    database,
    table,
  ]);
  return (
    tables.find(
      (tracked) => tracked.schema.database === database && tracked.schema.table === table,
    ) ?? null
  );
}
