/**
 * The table plan of a task: the tables its selection names (whole databases expanded), each
 * with its schema, row estimate, filter and `SHOW CREATE TABLE` text, in the order the snapshot
 * reads them: tables named one by one first (they carry filters), then whole databases.
 *
 * Cost: one `information_schema.TABLES` read per selected database, then one schema read and
 * one `SHOW CREATE TABLE` per table, so a whole database of n tables costs O(n) queries.
 */
import type { TableSchema } from '@tidewater/change-events';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { quoteTableName } from './identifiers';
import { listTables, readTableSchema, type TableInfo } from './introspect';

/** One selected object: a whole database (`table` null) or one table with its filter. */
export interface SelectedSourceObject {
  database: string;
  table: string | null;
  filter: string | null;
}

export interface PlannedTable {
  database: string;
  table: string;
  schema: TableSchema;
  /** The operator's WHERE filter, checked again by the snapshot before it runs. */
  filterSql: string | null;
  rowsEstimated: number;
  /** `SHOW CREATE TABLE` text, for the schema migration stage. */
  createTable: string;
}

export async function planTables(
  connection: Connection,
  objects: readonly SelectedSourceObject[],
): Promise<PlannedTable[]> {
  const tablesOf = new Map<string, Map<string, TableInfo>>();
  const listed = async (database: string): Promise<Map<string, TableInfo>> => {
    let tables = tablesOf.get(database);
    if (tables === undefined) {
      tables = new Map(
        (await listTables(connection, database)).map((info) => [info.name, info] as const),
      );
      tablesOf.set(database, tables);
    }
    return tables;
  };
  const planned: PlannedTable[] = [];
  const seen = new Set<string>();
  const add = async (database: string, table: string, filter: string | null) => {
    const key = `${database}\u0000${table}`;
    if (seen.has(key)) return;
    seen.add(key);
    const schema = await readTableSchema(connection, database, table);
    const [rows] = await connection.query<RowDataPacket[]>(
      `SHOW CREATE TABLE ${quoteTableName(database, table)}`,
    );
    planned.push({
      database,
      table,
      schema,
      filterSql: filter,
      rowsEstimated: (await listed(database)).get(table)?.estimatedRows ?? 0,
      createTable: String(rows[0]?.['Create Table'] ?? ''),
    });
  };
  for (const object of objects) {
    if (object.table !== null) await add(object.database, object.table, object.filter || null);
  }
  for (const object of objects) {
    if (object.table !== null) continue;
    for (const info of (await listed(object.database)).values()) {
      if (info.type === 'table') await add(object.database, info.name, null);
    }
  }
  return planned;
}

/**
 * The source's time zone, in which TIMESTAMP values render (Canal JSON): a named zone when the
 * server is set to one, otherwise its current UTC offset as the server computes it (our own
 * session runs in UTC, so the offset comes from the server's SYSTEM zone, never ours).
 */
export async function readSourceTimeZone(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT @@global.time_zone AS zone,
            TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', 'SYSTEM')) AS systemOffset`,
  );
  const zone = String(rows[0]?.zone ?? 'SYSTEM');
  if (zone !== 'SYSTEM')
    return zone.includes('/') || /^[+-]\d{1,2}:\d{2}$/.test(zone) || zone === 'UTC' ? zone : 'UTC';
  const minutes = Number(rows[0]?.systemOffset ?? 0);
  if (minutes === 0) return 'UTC';
  const sign = minutes >= 0 ? '+' : '-';
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}
