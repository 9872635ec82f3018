import type { RowDataPacket } from 'mysql2';
import type { SourcePosition } from '@tidewater/change-events';
import type { TaskConfig } from '@tidewater/config';
import {
  binlogWatermarks,
  connectSource,
  listTables,
  openBinlogStream,
  readBinlogPosition,
  readSchemaHistory,
  readSnapshot,
  readTableSchema,
  quoteTableName,
  type BinlogStream,
  type SerializedSchemaHistory,
  type SnapshotCheckpoint,
  type SnapshotItem as SourceSnapshotItem,
  type SourceConnection,
  type SourceConnectionOptions,
} from '@tidewater/mysql-source';
import type { ChangeStream, PlannedTable, SnapshotItem, SourcePort } from './ports';

/**
 * The runner's source: mysql-source configured from the task. The snapshot runs in watermark
 * mode (each chunk reconciled with the binlog between its low and high watermarks), so the
 * full migration is lock-free and hands over to streaming with nothing lost or doubled. The
 * walk starts at a position read before the tables were planned, and passes through the tables
 * the task selects that the plan does not hold (created since), from their CREATE on.
 */

export interface SourceTuning {
  /** How long the binlog stream keeps reconnecting before it gives up. */
  retryWindowMs: number;
  chunkSize: number;
  /** Chunks read at once, each on its own session. */
  concurrency: number;
}

const DEFAULT_SOURCE_TUNING: Omit<SourceTuning, 'retryWindowMs'> = {
  chunkSize: 8192,
  concurrency: 2,
};

export function connectionOptions(config: TaskConfig): SourceConnectionOptions {
  const { source } = config;
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

export async function createSourcePort(
  config: TaskConfig,
  task: { taskId: string; epoch: number },
  tuning: Partial<SourceTuning> & Pick<SourceTuning, 'retryWindowMs'>,
  log: (level: 'warn', message: string, fields?: Record<string, unknown>) => void = () => undefined,
): Promise<SourcePort> {
  const options = connectionOptions(config);
  const { chunkSize, concurrency } = { ...DEFAULT_SOURCE_TUNING, ...tuning };
  const main = await connectSource(options);
  const timeZone = await readSourceTimeZone(main);
  const serverId = replicaServerId(task.taskId);
  const databases = [...new Set(config.objects.map((object) => object.database))];
  /** Read before the last plan's listing: where a fresh snapshot's walk starts. */
  let plannedAt: SourcePosition | null = null;

  return {
    info: { version: main.server.version, timeZone },
    currentPosition: () => readBinlogPosition(main.connection),
    readSchemaHistory: () => readSchemaHistory(main.connection, { databases }),
    async planTables() {
      plannedAt = await readBinlogPosition(main.connection);
      const planned: PlannedTable[] = [];
      const seen = new Set<string>();
      const add = async (database: string, table: string, filter: string | null) => {
        const key = `${database}\u0000${table}`;
        if (seen.has(key)) return;
        seen.add(key);
        const schema = await readTableSchema(main.connection, database, table);
        const [rows] = await main.connection.query<Array<RowDataPacket>>(
          `SHOW CREATE TABLE ${quoteTableName(database, table)}`,
        );
        const infos = await listTables(main.connection, database);
        const info = infos.find((item) => item.name === table);
        planned.push({
          database,
          table,
          schema,
          filterSql: filter,
          rowsEstimated: info?.estimatedRows ?? 0,
          createTable: String(rows[0]?.['Create Table'] ?? ''),
        });
      };
      // Tables named one by one first (they carry filters), then whole databases.
      for (const object of config.objects) {
        if (object.kind === 'table')
          await add(object.database, object.table, object.filter || null);
      }
      for (const object of config.objects) {
        if (object.kind !== 'database') continue;
        for (const table of await listTables(main.connection, object.database)) {
          if (table.type === 'table') await add(object.database, table.name, null);
        }
      }
      return planned;
    },
    async *readSnapshot(tables, resume, signal, isSelected) {
      // One binlog stream serves every chunk's window, read forward once.
      const watermarks = binlogWatermarks({
        source: options,
        tables: tables.map((table) => ({ database: table.database, table: table.table })),
      });
      try {
        for await (const item of readSnapshot({
          connect: () => connectSource(options),
          tables: tables.map((table) => ({
            database: table.database,
            table: table.table,
            filter: table.filterSql,
          })),
          chunkSize,
          concurrency,
          resumeFrom: (resume as SnapshotCheckpoint | null) ?? null,
          watermarks,
          isSelected,
          startPosition: plannedAt,
          signal,
        })) {
          yield toRunnerItem(item);
        }
      } finally {
        watermarks.close();
      }
    },
    openStream(start, schemaHistory, signal) {
      return lazyStream(async () =>
        openBinlogStream({
          source: options,
          start,
          schemaHistory: (schemaHistory as SerializedSchemaHistory | null) ?? undefined,
          databases,
          serverId,
          // A heartbeat a second keeps an idle task's latency and checkpoint current.
          heartbeatIntervalMs: 1_000,
          retryWindowMs: tuning.retryWindowMs,
          // Reconnects, schema re-reads after unparsed DDL: the operator sees them in the log.
          onWarning: (warning) =>
            log('warn', warning.message, {
              taskId: task.taskId,
              code: warning.code,
              ...warning.details,
            }),
          signal,
        }),
      );
    },
    close: () => main.close(),
  };
}

function toRunnerItem(item: SourceSnapshotItem): SnapshotItem {
  switch (item.kind) {
    case 'chunk':
      return {
        kind: 'chunk',
        event: item.event,
        database: item.checkpoint.database,
        table: item.checkpoint.table,
        rowsEmitted: item.checkpoint.rowsEmitted,
        checkpoint: item.checkpoint,
      };
    case 'change':
      return { kind: 'change', event: item.event };
    case 'table-done':
      return {
        kind: 'table-done',
        database: item.database,
        table: item.table,
        rowsEmitted: item.rowsEmitted,
        checkpoint: item.checkpoint,
      };
    case 'done':
      return { kind: 'done', streamFrom: item.streamFrom, consistency: item.consistency };
  }
}

/** Opens the binlog stream on first iteration, so `openStream` itself cannot fail. */
function lazyStream(open: () => Promise<BinlogStream>): ChangeStream {
  let stream: BinlogStream | null = null;
  return {
    async *[Symbol.asyncIterator]() {
      stream = await open();
      yield* stream;
    },
    checkpointOf(event) {
      return stream?.checkpointOf(event) ?? null;
    },
    async close() {
      await stream?.release();
    },
  };
}

/**
 * The source's time zone, in which TIMESTAMP values render (Canal JSON): a named zone when the
 * server is set to one, otherwise its current UTC offset as the server computes it (our own
 * session runs in UTC, so the offset comes from the server's SYSTEM zone, never ours).
 */
async function readSourceTimeZone(session: SourceConnection): Promise<string> {
  const [rows] = await session.connection.query<Array<RowDataPacket>>(
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
