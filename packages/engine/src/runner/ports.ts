import type { ChangeEvent, SourcePosition, TableSchema } from '@tidewater/change-events';

/**
 * What the stage runner needs from the source and the sink, as narrow interfaces: the runner
 * is written against these, and `adapters.ts` implements them with mysql-source and kafka-sink.
 */

/**
 * What the snapshot yields, in order: chunks of rows (with the checkpoint to store once they
 * are acknowledged), binlog changes interleaved by the watermark reconciliation, the end of
 * each table, and the end with the position streaming starts from.
 */
export type SnapshotItem =
  | {
      kind: 'chunk';
      event: ChangeEvent;
      database: string;
      table: string;
      rowsEmitted: number;
      checkpoint: unknown;
    }
  | { kind: 'change'; event: ChangeEvent }
  | {
      kind: 'table-done';
      database: string;
      table: string;
      rowsEmitted: number;
      checkpoint: unknown;
    }
  | { kind: 'done'; streamFrom: SourcePosition | null; consistency: string };

export interface PlannedTable {
  database: string;
  table: string;
  schema: TableSchema;
  filterSql: string | null;
  rowsEstimated: number;
  /** `SHOW CREATE TABLE` text, for the schema migration stage. */
  createTable: string;
}

export interface SourcePort {
  /** The server's version string and time zone, which the formats need. */
  readonly info: { version: string; timeZone: string };
  /** The current binlog position: where streaming starts when the snapshot begins. */
  currentPosition(): Promise<SourcePosition>;
  /** The selected databases' table definitions now: the schema history at a start position. */
  readSchemaHistory(): Promise<unknown>;
  /**
   * Tables the task selects (whole databases expanded), with their schemas. A snapshot started
   * after it walks the binlog from before this listing.
   */
  planTables(): Promise<PlannedTable[]>;
  /**
   * Reads the tables in order, resuming after `resume` (a checkpoint it yielded before; pass
   * the tables planned when the snapshot started). Changes of tables `isSelected` accepts that
   * are not among `tables` (created since they were planned) are yielded as `change` items from
   * the snapshot's start, so nothing of them is lost before the hand-over.
   */
  readSnapshot(
    tables: PlannedTable[],
    resume: unknown | null,
    signal: AbortSignal,
    isSelected: (database: string, table: string) => boolean,
  ): AsyncIterable<SnapshotItem>;
  /** The binlog from `start`, decoded with `schemaHistory` (opaque, from a previous checkpoint). */
  openStream(
    start: SourcePosition,
    schemaHistory: unknown | null,
    signal: AbortSignal,
  ): ChangeStream;
  close(): Promise<void>;
}

export interface ChangeStream extends AsyncIterable<ChangeEvent> {
  /**
   * For a COMMIT or DDL event the iterator returned: the position after it and the schema
   * history as of it (serialisable), to store once it is acknowledged; null for other events.
   */
  checkpointOf(event: ChangeEvent): { position: SourcePosition; schemaHistory: unknown } | null;
  close(): Promise<void>;
}

export interface DeliveryReport {
  messages: number;
  bytes: number;
}

export interface SinkPort {
  /** Resolves after Kafka acknowledged every message built from `events`. */
  deliver(events: ChangeEvent[]): Promise<DeliveryReport>;
  /** Schema migration: each table's definition to the DDL topic (and the registry). */
  publishSchemas(tables: PlannedTable[]): Promise<void>;
  close(): Promise<void>;
}
