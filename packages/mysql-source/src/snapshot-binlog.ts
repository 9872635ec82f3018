/**
 * The snapshot's watermarks from the binlog half: positions from `readBinlogPosition`, the
 * changes of a window from one `BinlogStream` kept open across windows.
 *
 * The snapshot asks for windows in increasing order, each starting where the last one ended
 * (sequential chunks) or earlier (chunks read in parallel re-read a stretch). The open stream
 * serves the first kind by reading on; the second kind reopens it at the window's start. A
 * stream cannot un-read: an event past the window's end is kept for the next window.
 *
 * A window ends at a position from SHOW MASTER STATUS, a transaction boundary. The stream
 * reaches it either with the event ending there or, when the last transactions in the window
 * were of other tables (which the stream does not decode), with the next event or the server's
 * heartbeat on an idle binlog; the heartbeat period bounds that wait.
 */

import type { ChangeEvent, SourcePosition } from '@tidewater/change-events';
import type { Connection } from 'mysql2/promise';
import { TidewaterError } from '@tidewater/errors';
import { readBinlogPosition } from './binlog/binlog-position';
import { openBinlogStream, type BinlogStream } from './binlog/binlog-stream';
import type { SourceConnectionOptions } from './connect';
import { comparePositions, type WatermarkSource } from './snapshot-watermark';

export interface BinlogWatermarkOptions {
  source: SourceConnectionOptions;
  /** The tables the snapshot reads; other tables' changes are not decoded. */
  tables: ReadonlyArray<{ database: string; table: string }>;
  /** How soon an idle source confirms the end of a window; 100 ms when absent. */
  heartbeatIntervalMs?: number;
}

export interface BinlogWatermarks extends WatermarkSource {
  /** Closes the stream; the snapshot's caller calls it when the snapshot ends. */
  close(): void;
}

const DEFAULT_WINDOW_HEARTBEAT_MS = 100;

export function binlogWatermarks(options: BinlogWatermarkOptions): BinlogWatermarks {
  const captured = new Set(
    options.tables.map(({ database, table }) => `${database}\u0000${table}`),
  );
  const databases = [...new Set(options.tables.map(({ database }) => database))];
  let stream: BinlogStream | null = null;
  let iterator: AsyncIterator<ChangeEvent> | null = null;
  /** Every event at or before this has been taken from the stream. */
  let taken: SourcePosition | null = null;
  /** Events taken from the stream past the end of the last window, in order. */
  let pending: ChangeEvent[] = [];

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
      databases,
      isCaptured: (database, table) => table === '' || captured.has(`${database}\u0000${table}`),
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_WINDOW_HEARTBEAT_MS,
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
    readPosition: (connection: Connection) => readBinlogPosition(connection),
    readChangesBetween,
    close,
  };
}
