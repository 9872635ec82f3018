/**
 * Where a message goes and what its key is, per partition policy (the DTS wizard's three,
 * Alibaba DTS "Specify the policy for migrating data to Kafka partitions"):
 *
 * | policy                | row messages                                   | DDL                                   |
 * |-----------------------|------------------------------------------------|---------------------------------------|
 * | `partition-zero`      | partition 0, key `db.table`                    | partition 0, key `db.table` (or `db`) |
 * | `hash-database-table` | hash(`db.table`), key `db.table`               | as its table's rows; no table → 0     |
 * | `hash-primary-key`    | one message per row, hash(row key), key = it   | partition 0, key `db.table` (or `db`) |
 *
 * The key is always the string whose hash picked the partition, so a consumer (or a Java
 * producer sharing the topic) recomputes the partition as `Math.abs(key.hashCode() % n)`.
 * DTS documents Java's `String.hashCode()` but not the hashed string; these are ours:
 * - table key: `<database>.<table>` with DTS's object-name escaping (a `.` inside a name is
 *   written `\u002E`, as in DTS Avro `objectName`), destination names (after mapping).
 * - row key: `<table key>:<v1>^<v2>…` over the primary key columns in key order (the first
 *   unique key when there is no primary key), each value as Canal JSON renders it in `data`
 *   (SQL NULL as the empty string, as Canal's partitioner does), with `\` and `^` inside a
 *   value escaped as `\\` and `\^` so different rows never share a key. The table is part of
 *   the key so that `id = 1` of every table does not pile onto one partition.
 * - tables with neither primary nor unique key: partition 0 and the table key, under every
 *   policy that would otherwise hash rows (DTS: "data and DDL to partition 0").
 * `Math.abs(h % n)` equals Canal's `Math.abs(Math.abs(h) % n)` for every int `h`, including
 * `Integer.MIN_VALUE`, and is always in `[0, n)`.
 */
import type { CellValue, ColumnSchema, RowImage, TableSchema } from '@tidewater/change-events';
import type { PartitionPolicy } from '@tidewater/config';
import { javaStringHashCode, renderCanalValue } from '@tidewater/formats';

/** The partition for a hash input on a topic of `partitions` partitions. */
export function partitionOf(hashInput: string, partitions: number): number {
  return Math.abs(javaStringHashCode(hashInput) % partitions);
}

/** DTS `ObjectNameUtils.escapeName`: a `.` inside a name becomes the six characters `\u002E`. */
function escapeName(name: string): string {
  return name.includes('.') ? name.replaceAll('.', '\\u002E') : name;
}

/** `db.table`, or `db` for a database-level DDL, or null when there is neither. */
export function tableKey(database: string, table: string): string | null {
  if (table === '') return database === '' ? null : escapeName(database);
  return `${escapeName(database)}.${escapeName(table)}`;
}

function escapeKeyValue(text: string): string {
  return /[\\^]/.test(text) ? text.replace(/[\\^]/g, (c) => `\\${c}`) : text;
}

export interface KeyColumns {
  columns: ColumnSchema[];
  indexes: number[];
}

const keyColumnCache = new WeakMap<TableSchema, KeyColumns | null>();

/** The columns whose values identify a row: the primary key, else the first unique key. */
export function keyColumnsOf(schema: TableSchema): KeyColumns | null {
  const known = keyColumnCache.get(schema);
  if (known !== undefined) return known;
  const names =
    schema.primaryKey.length > 0 ? schema.primaryKey : Object.values(schema.uniqueKeys)[0];
  let result: KeyColumns | null = null;
  if (names !== undefined && names.length > 0) {
    const indexes = names.map((name) => schema.columns.findIndex((c) => c.name === name));
    if (indexes.every((i) => i >= 0)) {
      result = { indexes, columns: indexes.map((i) => schema.columns[i]!) };
    }
  }
  keyColumnCache.set(schema, result);
  return result;
}

/** The row key (see the module comment); `timeZone` is the one TIMESTAMP values render in. */
export function rowKey(
  tableKeyText: string,
  key: KeyColumns,
  row: RowImage,
  timeZone: string,
): string {
  let out = `${tableKeyText}:`;
  for (let i = 0; i < key.indexes.length; i++) {
    if (i > 0) out += '^';
    const value: CellValue = row[key.indexes[i]!] ?? null;
    const text = renderCanalValue(key.columns[i]!, value, { timeZone });
    out += text === null ? '' : escapeKeyValue(text);
  }
  return out;
}

export interface Route {
  partition: number;
  key: string | null;
}

/** Route of a message that carries whole events of one table (not split per row). */
export function tableRoute(
  policy: PartitionPolicy,
  tableKeyText: string | null,
  partitions: number,
): Route {
  if (policy === 'hash-database-table' && tableKeyText !== null) {
    return { partition: partitionOf(tableKeyText, partitions), key: tableKeyText };
  }
  return { partition: 0, key: tableKeyText };
}

/** Route of a DDL: with its table under the table hash, else partition 0 (DTS, as above). */
export function ddlRoute(
  policy: PartitionPolicy,
  database: string,
  table: string,
  partitions: number,
): Route {
  const key = tableKey(database, table);
  if (policy === 'hash-database-table' && table !== '' && key !== null) {
    return { partition: partitionOf(key, partitions), key };
  }
  return { partition: 0, key };
}
