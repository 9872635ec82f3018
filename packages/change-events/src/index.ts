/**
 * The change event: what the source engine hands to the formats and the sink.
 *
 * One shape for snapshot rows and binlog changes, so a format or a partition policy never
 * needs to know where a row came from. Values are canonical (see `CellValue`): the same
 * column value read by snapshot `SELECT` and decoded from the binlog is equal under `===`
 * (strings, numbers) or byte-equal (buffers).
 */

/**
 * A column's value in canonical form, chosen so that nothing is lost:
 *
 * | column type                          | canonical value                                         |
 * |--------------------------------------|---------------------------------------------------------|
 * | NULL (any type)                      | `null`                                                  |
 * | TINYINT … BIGINT, signed or unsigned | decimal `string` (`"-128"`, `"18446744073709551615"`)   |
 * | DECIMAL(p,s)                         | exact decimal `string` with exactly s fraction digits   |
 * | FLOAT, DOUBLE                        | `number` (a FLOAT holds the float32 value, widened)     |
 * | BIT(n)                               | `Buffer`, big-endian, ceil(n/8) bytes                   |
 * | YEAR                                 | `number` (0 for the zero year)                          |
 * | DATE                                 | `string` `YYYY-MM-DD` (zero date `0000-00-00`)          |
 * | DATETIME(fsp)                        | `string` `YYYY-MM-DD HH:MM:SS` + `.` and fsp digits     |
 * | TIMESTAMP(fsp)                       | `string` as DATETIME, in UTC; zero `0000-00-00 00:00:00` |
 * | TIME(fsp)                            | `string` `[-]HH:MM:SS` + fsp digits, hours may be >99   |
 * | CHAR, VARCHAR, TEXT family           | `string` decoded from the column charset                |
 * | BINARY, VARBINARY, BLOB family       | `Buffer`                                                |
 * | ENUM                                 | `string` label (`""` for the invalid-value index 0)     |
 * | SET                                  | `string` labels joined with `,` in definition order     |
 * | JSON                                 | `string` JSON text as the server prints it              |
 * | GEOMETRY family                      | `Buffer`: 4-byte little-endian SRID + WKB               |
 */
export type CellValue = null | string | number | Buffer;

/** A row image: one value per column of the table's `columns`, in table order. */
export type RowImage = CellValue[];

/** The column type family; decides how a value is canonicalised and rendered. */
export type ColumnFamily =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'double'
  | 'bit'
  | 'year'
  | 'date'
  | 'datetime'
  | 'timestamp'
  | 'time'
  | 'char'
  | 'text'
  | 'binary'
  | 'blob'
  | 'enum'
  | 'set'
  | 'json'
  | 'geometry';

export interface ColumnSchema {
  name: string;
  /** Lower-case base type as MySQL names it: `int`, `bigint`, `varchar`, `datetime`, `json`, … */
  dataType: string;
  /**
   * The declared type, Canal's `mysqlType`: as `SHOW CREATE TABLE` / `COLUMN_TYPE` prints it
   * (`int(10) unsigned`) for a table read from the source, as the DDL spelled it
   * (`INT UNSIGNED` → `INT unsigned`) for a column the binlog's DDL created or changed.
   */
  columnType: string;
  family: ColumnFamily;
  nullable: boolean;
  unsigned: boolean;
  /** Storage bytes for integers (1, 2, 3, 4, 8); precision for DECIMAL; width for BIT. */
  precision: number | null;
  /** DECIMAL scale; fractional-second digits for TIME/DATETIME/TIMESTAMP. */
  scale: number | null;
  /** MySQL charset name for character columns (`utf8mb4`, `latin1`, `gbk`), else null. */
  charset: string | null;
  /**
   * Collation of character columns (`utf8mb4_general_ci`, `latin1_swedish_ci`), else null.
   * Optional: absent or null where it is not known (a schema followed through DDL that named
   * only a charset); the row filter evaluator refuses string comparisons on such columns.
   */
  collation?: string | null;
  /** ENUM/SET members in definition order, else null. */
  members: string[] | null;
}

export interface TableSchema {
  database: string;
  table: string;
  columns: ColumnSchema[];
  /** Names of the primary-key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** Unique keys by index name, each a list of column names in key order. */
  uniqueKeys: Record<string, string[]>;
}

/**
 * Where an event sits in the source's log. `file`/`pos` are always present for binlog events
 * (the position *after* the event, so resuming there does not repeat it); `gtidSet` is the
 * executed GTID set after the event's transaction when the source has GTIDs.
 */
export interface SourcePosition {
  file: string;
  pos: number;
  gtidSet: string | null;
}

interface EventBase {
  /** When the source wrote the change: binlog event header time (ms since epoch, whole seconds). */
  timestamp: number;
  /** Position of the event in the source log; null for snapshot rows. */
  position: SourcePosition | null;
  /**
   * Where the event's transaction starts (the position of its BEGIN), so a reader resuming
   * there replays the whole transaction. Optional: absent or null when unknown, for snapshot
   * rows, and for a DDL (its own transaction). DTS Avro writes it as `safeSourcePosition`.
   */
  transactionStart?: SourcePosition | null;
  /** The GTID of the event's transaction (`0-1-7` MariaDB, `uuid:n` MySQL), when known. */
  gtid: string | null;
  /** Source server id from the event header; null for snapshot rows. */
  serverId: number | null;
}

export interface RowEventBase extends EventBase {
  schema: TableSchema;
}

export interface SnapshotRowsEvent extends RowEventBase {
  kind: 'snapshot';
  rows: RowImage[];
}

export interface InsertEvent extends RowEventBase {
  kind: 'insert';
  rows: RowImage[];
}

export interface UpdateEvent extends RowEventBase {
  kind: 'update';
  /** Pairs of before and after images, in event order. */
  rows: Array<{ before: RowImage; after: RowImage }>;
}

export interface DeleteEvent extends RowEventBase {
  kind: 'delete';
  rows: RowImage[];
}

/** The kind of a DDL statement, as Canal classifies it (see formats/canal-json). */
export type DdlKind =
  'CREATE' | 'ALTER' | 'ERASE' | 'RENAME' | 'TRUNCATE' | 'CINDEX' | 'DINDEX' | 'QUERY';

export interface DdlEvent extends EventBase {
  kind: 'ddl';
  /** The database the statement ran in or names; `""` when none. */
  database: string;
  /** The table it affects (the new name for renames); `""` for database-level DDL. */
  table: string;
  ddlKind: DdlKind;
  sql: string;
  /** False when the statement could not be parsed; the source re-read the schema instead. */
  isParsed: boolean;
}

export interface BeginEvent extends EventBase {
  kind: 'begin';
}

export interface CommitEvent extends EventBase {
  kind: 'commit';
  /** The XID of the transaction, when the commit was an XID event. */
  xid: string | null;
}

export interface HeartbeatEvent extends EventBase {
  kind: 'heartbeat';
}

export type RowEvent = SnapshotRowsEvent | InsertEvent | UpdateEvent | DeleteEvent;
export type ChangeEvent = RowEvent | DdlEvent | BeginEvent | CommitEvent | HeartbeatEvent;

export function isRowEvent(event: ChangeEvent): event is RowEvent {
  return (
    event.kind === 'snapshot' ||
    event.kind === 'insert' ||
    event.kind === 'update' ||
    event.kind === 'delete'
  );
}
