/**
 * The source stage: mysql-source opened for one task. The snapshot runs in watermark mode (each
 * chunk reconciled with the binlog between its low and high watermarks), so the full migration
 * is lock-free and hands over to streaming with nothing lost or doubled; the stream yields each
 * event with its typed resume point (`BinlogRecord`).
 */
import type { SourcePosition } from '@tidewater/change-events';
import type { TaskConfig } from '@tidewater/config';
import {
  binlogWatermarks,
  compileRowPredicate,
  connectSource,
  openBinlogStream,
  parseRowFilter,
  planTables,
  readBinlogPosition,
  readSchemaHistory,
  readSnapshot,
  readSourceTimeZone,
  type BinlogRecord,
  type BinlogStream,
  type PlannedTable,
  type SchemaState,
  type SerializedSchemaHistory,
  type SnapshotResumePoint,
  type SnapshotRecord,
  type SourceConnectionOptions,
} from '@tidewater/mysql-source';
import { createTransform, type FilterCompiler } from './transform';
import { ignoreTelemetry, type TaskTelemetry } from '../task-telemetry';

export interface SourceTuning {
  /** How long the binlog stream keeps reconnecting before it gives up. */
  retryWindowMs: number;
  chunkSize: number;
  /** Chunks read at once, each on its own session. */
  concurrency: number;
}

const DEFAULT_SOURCE_TUNING: Omit<SourceTuning, 'retryWindowMs'> = {
  // Half the source's own default: a chunk is held whole (its rows, then its messages) until
  // Kafka acknowledged it, and 4,096 kept the end-to-end bench's throughput (issue 13).
  chunkSize: 4096,
  concurrency: 2,
};

export interface TaskSource {
  /** The server's version string and time zone, which the formats need. */
  readonly info: { version: string; timeZone: string };
  /** Compiles a table's WHERE filter for binlog row images, with this server's semantics. */
  readonly compileFilter: FilterCompiler;
  /** The current binlog position: where streaming starts when the snapshot begins. */
  currentPosition(): Promise<SourcePosition>;
  /** The selected databases' table definitions now: the schema history at a start position. */
  readSchemaHistory(): Promise<SerializedSchemaHistory>;
  /** Tables the task selects (whole databases expanded), with their schemas. */
  planTables(): Promise<PlannedTable[]>;
  /**
   * Reads the tables in order, resuming after `resume` (a checkpoint it yielded before). The
   * binlog walk starts at a position read before the last `planTables` listing, and passes
   * through the tables the task selects that are not in `tables` (created since), from their
   * CREATE on.
   */
  readSnapshot(
    tables: readonly PlannedTable[],
    resume: SnapshotResumePoint | null,
    signal: AbortSignal,
  ): AsyncIterable<SnapshotRecord>;
  /** The binlog from `start`, decoded with `schema`, each event with its resume point. */
  openStream(start: SourcePosition, schema: SchemaState, signal: AbortSignal): TaskStream;
  close(): Promise<void>;
}

export interface TaskStream extends AsyncIterable<BinlogRecord> {
  close(): Promise<void>;
}

export function connectionOptions(source: TaskConfig['source']): SourceConnectionOptions {
  return {
    host: source.host,
    port: source.port,
    user: source.user,
    password: source.password ?? '',
    tls: source.tls.enabled
      ? { ca: source.tls.ca, rejectUnauthorized: source.tls.rejectUnauthorized }
      : null,
  };
}

/**
 * A stable replica server id per task: the same task always registers with the same id (so
 * a takeover replaces its own dump thread instead of adding one), different tasks differ.
 */
export function replicaServerId(taskId: string): number {
  let hash = 0;
  for (const char of taskId) hash = (Math.imul(31, hash) + char.charCodeAt(0)) | 0;
  return 1_000_000_000 + (Math.abs(hash) % 1_000_000_000);
}

export async function openTaskSource(
  config: TaskConfig,
  task: { taskId: string; epoch: number },
  tuning: Partial<SourceTuning> & Pick<SourceTuning, 'retryWindowMs'>,
  log: (level: 'warn', message: string, fields?: Record<string, unknown>) => void = () => undefined,
  telemetry: TaskTelemetry = ignoreTelemetry,
): Promise<TaskSource> {
  const options = connectionOptions(config.source);
  const { chunkSize, concurrency } = { ...DEFAULT_SOURCE_TUNING, ...tuning };
  const main = await connectSource(options);
  const timeZone = await readSourceTimeZone(main.connection);
  const serverId = replicaServerId(task.taskId);
  const databases = [...new Set(config.objects.map((object) => object.database))];
  // Rows of tables the task does not select are skipped undecoded (a partial row image there,
  // or a type we cannot decode, is none of this task's business).
  const { isSelectedTable } = createTransform(config);
  // PolarDB-X 2.0 multi-stream binlog: every position is read on the task's stream, so the
  // snapshot's watermarks and the stream's start are in that stream's files.
  const positionOptions = config.source.binlogStream ? { stream: config.source.binlogStream } : {};
  /** Read before the last plan's listing: where a fresh snapshot's walk starts. */
  let plannedAt: SourcePosition | null = null;

  return {
    info: { version: main.server.version, timeZone },
    compileFilter: (text, schema) =>
      compileRowPredicate(parseRowFilter(text, schema), schema, { server: main.server }),
    currentPosition: () => readBinlogPosition(main.connection, positionOptions),
    readSchemaHistory: () => readSchemaHistory(main.connection, { databases }),
    planTables: async () => {
      plannedAt = await readBinlogPosition(main.connection, positionOptions);
      return planTables(
        main.connection,
        config.objects.map((object) =>
          object.kind === 'table'
            ? { database: object.database, table: object.table, filter: object.filter || null }
            : { database: object.database, table: null, filter: null },
        ),
      );
    },
    async *readSnapshot(tables, resume, signal) {
      // One binlog stream serves every chunk's window, read forward once.
      const watermarks = binlogWatermarks({
        source: options,
        tables: tables.map((table) => ({ database: table.database, table: table.table })),
        ...positionOptions,
      });
      try {
        yield* readSnapshot({
          connect: () => connectSource(options),
          tables: tables.map((table) => ({
            database: table.database,
            table: table.table,
            filter: table.filterSql,
          })),
          chunkSize,
          concurrency,
          resumeFrom: resume,
          watermarks,
          isSelected: isSelectedTable,
          startPosition: plannedAt,
          signal,
        });
      } finally {
        watermarks.close();
      }
    },
    openStream(start, schema, signal) {
      return lazyStream(() =>
        openBinlogStream({
          source: options,
          start,
          schemaHistory: schema,
          databases,
          isCaptured: isSelectedTable,
          serverId,
          // A heartbeat a second keeps an idle task's latency and checkpoint current.
          heartbeatIntervalMs: 1_000,
          retryWindowMs: tuning.retryWindowMs,
          // Reconnects, schema re-reads after unparsed DDL: the operator sees them in the log.
          // A reconnect is a retry too, though the stream does it without the runner.
          onWarning: (warning) => {
            if (warning.code === 'SOURCE_RECONNECTING') telemetry.retried(task.taskId);
            log('warn', warning.message, {
              taskId: task.taskId,
              code: warning.code,
              ...warning.details,
            });
          },
          signal,
        }),
      );
    },
    close: () => main.close(),
  };
}

/** Opens the binlog stream on first iteration, so `openStream` itself cannot fail. */
function lazyStream(open: () => Promise<BinlogStream>): TaskStream {
  let stream: BinlogStream | null = null;
  return {
    async *[Symbol.asyncIterator]() {
      stream = await open();
      yield* stream.records();
    },
    async close() {
      await stream?.release();
    },
  };
}
