/**
 * The snapshot's watermarks from the binlog half: positions from `readBinlogPosition`, the
 * changes of a window from one `BinlogStream` kept open across windows.
 *
 * The walker asks for contiguous windows in increasing order, so one stream serves them all by
 * reading on (a window starting earlier than what was read reopens it, which the walker never
 * asks for). A stream cannot un-read: an event past a window's end is kept for the next window.
 *
 * A window ends at a position from SHOW MASTER STATUS, a transaction boundary, and the stream
 * must show that it got there. It does with the commit (or DDL) event ending there, so the
 * stream decodes every table, not only the snapshot's: a transaction of another table would
 * otherwise pass silently, and the window could only end with the next event or, on an idle
 * source, the server's heartbeat (the snapshot would wait up to a heartbeat period per chunk).
 * The walker emits only the snapshot's tables' changes.
 */

import type { ChangeEvent, SourcePosition } from '@tidewater/change-events';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { TidewaterError } from '@tidewater/errors';
import { openBinlogStream, type BinlogStream } from './binlog/binlog-stream';
import type { SourceConnectionOptions } from './connect';
import { detectServer } from './flavour';
import { comparePositions, type WatermarkSource } from './snapshot-watermark';

export interface BinlogWatermarkOptions {
  source: SourceConnectionOptions;
  /** The tables the snapshot reads (the walker emits only their changes). */
  tables: ReadonlyArray<{ database: string; table: string }>;
  /** How soon an idle source confirms the end of a window; 100 ms when absent. */
  heartbeatIntervalMs?: number;
  /**
   * PolarDB-X 2.0 multi-stream binlog: the stream the task follows, whose position each
   * watermark reads (`SHOW MASTER STATUS WITH 'stream'`). The caller checked it with
   * `readBinlogPosition`, which refuses a stream on servers that have none.
   */
  stream?: string;
}

export interface BinlogWatermarks extends WatermarkSource {
  /** Closes the stream; the snapshot's caller calls it when the snapshot ends. */
  close(): void;
}

const DEFAULT_WINDOW_HEARTBEAT_MS = 100;

/**
 * File and offset from SHOW MASTER STATUS, with MySQL's executed GTID set when it has one: the
 * watermark read twice per chunk. MariaDB's GTID state at a position (BINLOG_GTID_POS) is left
 * out here because the server finds it by scanning the binlog file from its start, which costs
 * tens of milliseconds per call on a large file; only the hand-over position needs it
 * (`completePosition`).
 */
async function readWatermarkPosition(
  connection: Connection,
  stream: string | undefined,
): Promise<SourcePosition> {
  let rows: RowDataPacket[];
  try {
    [rows] = await connection.query<RowDataPacket[]>(
      stream ? `SHOW MASTER STATUS WITH ${connection.escape(stream)}` : 'SHOW MASTER STATUS',
    );
  } catch (error) {
    // MySQL 8.4 renamed the statement.
    if ((error as { errno?: number }).errno !== 1064 || stream) throw error;
    [rows] = await connection.query<RowDataPacket[]>('SHOW BINARY LOG STATUS');
  }
  const status = rows[0];
  if (status === undefined || !status.File) {
    throw new TidewaterError(
      'BINLOG_DISABLED',
      'The source has no binary log to read (SHOW MASTER STATUS is empty).',
      {
        category: 'unsupported',
        remedy:
          'Enable the binary log on the source (log_bin, binlog_format=ROW, binlog_row_image=FULL) and restart it.',
      },
    );
  }
  const executed = String(status.Executed_Gtid_Set ?? '').replace(/\s+/g, '');
  return {
    file: String(status.File),
    pos: Number(status.Position),
    gtidSet: executed === '' ? null : executed,
  };
}

function nullable(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function binlogWatermarks(options: BinlogWatermarkOptions): BinlogWatermarks {
  let stream: BinlogStream | null = null;
  let iterator: AsyncIterator<ChangeEvent> | null = null;
  /** Every event at or before this has been taken from the stream. */
  let taken: SourcePosition | null = null;
  /** Events taken from the stream past the end of the last window, in order. */
  let pending: ChangeEvent[] = [];
  // Other tables are decoded only so their transactions show; a partial row image of one (a
  // session with binlog_row_image MINIMAL) does not concern the snapshot.
  const snapshotTables = new Set(
    options.tables.map(({ database, table }) => `${database}\0${table}`),
  );

  const close = (): void => {
    stream?.close();
    stream = null;
    iterator = null;
    taken = null;
    pending = [];
  };

  const open = async (
    start: SourcePosition,
    signal: AbortSignal,
  ): Promise<AsyncIterator<ChangeEvent>> => {
    close();
    stream = await openBinlogStream({
      source: options.source,
      start: { file: start.file, pos: start.pos, gtidSet: start.gtidSet },
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_WINDOW_HEARTBEAT_MS,
      requiresFullRowImage: (database, table) => snapshotTables.has(`${database}\0${table}`),
      signal,
    });
    taken = start;
    iterator = stream[Symbol.asyncIterator]();
    return iterator;
  };

  async function* readChangesBetween(
    low: SourcePosition,
    high: SourcePosition,
    signal: AbortSignal,
  ): AsyncGenerator<ChangeEvent> {
    if (comparePositions(low, high) >= 0) return;
    let source = iterator;
    if (source === null || taken === null || comparePositions(low, taken) < 0) {
      source = await open(low, signal);
    }
    let isComplete = false;
    try {
      // First what an earlier window read past its end.
      while (pending.length > 0) {
        const event = pending[0] as ChangeEvent;
        const position = event.position as SourcePosition;
        if (comparePositions(position, high) > 0) {
          isComplete = true;
          return;
        }
        pending.shift();
        if (comparePositions(position, low) > 0) yield event;
      }
      while (comparePositions(taken as SourcePosition, high) < 0) {
        signal.throwIfAborted();
        const next = await source.next();
        if (next.done === true) {
          signal.throwIfAborted();
          throw new TidewaterError(
            'SNAPSHOT_WATERMARK_STREAM_ENDED',
            `The binlog stream ended before reaching ${high.file}:${high.pos}, the end of a snapshot chunk's window.`,
            {
              category: 'unavailable',
              isRetryable: true,
              remedy:
                'Check the connection to the source; the snapshot resumes from its last checkpoint.',
            },
          );
        }
        const event = next.value;
        const position = event.position;
        if (position === null) continue;
        if (comparePositions(position, high) > 0) {
          pending.push(event);
          taken = high;
          break;
        }
        taken = position;
        if (comparePositions(position, low) > 0 && event.kind !== 'heartbeat') yield event;
      }
      isComplete = true;
    } finally {
      // A window left half read (the consumer stopped, or a failure) leaves the stream somewhere
      // unknown: the next window reopens it.
      if (!isComplete) close();
    }
  }

  return {
    readPosition: (connection: Connection) => readWatermarkPosition(connection, options.stream),
    readChangesBetween,
    completePosition: async (position: SourcePosition, connection: Connection) => {
      if (position.gtidSet !== null) return position;
      const [rows] = await connection.query<RowDataPacket[]>(
        'SELECT VERSION() AS version, @@version_comment AS comment',
      );
      const server = detectServer(String(rows[0]?.version ?? ''), nullable(rows[0]?.comment));
      if (server.flavour !== 'mariadb') return position;
      const [gtid] = await connection.query<RowDataPacket[]>(
        'SELECT BINLOG_GTID_POS(?, ?) AS gtid',
        [position.file, position.pos],
      );
      const text = String(gtid[0]?.gtid ?? '');
      return { ...position, gtidSet: text === '' ? null : text };
    },
    close,
  };
}
