/**
 * Running the snapshot's SELECTs: rows as arrays of canonical values (no object per row),
 * either a bounded chunk at once or a whole table as a stream of batches with backpressure.
 */

import type { CellValue, ColumnSchema } from '@tidewater/change-events';
import type { FieldPacket } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { canonicalTypeCast, rowFinisherOf } from './canonical';
import { coreOf } from './connect';

/** Reads a bounded result (a chunk, a boundary) into memory. */
export async function selectRows(
  connection: Connection,
  sql: string,
  columns: readonly ColumnSchema[],
): Promise<CellValue[][]> {
  const [rows] = await connection.query({ sql, rowsAsArray: true, typeCast: canonicalTypeCast });
  const result = rows as unknown as CellValue[][];
  const finish = rowFinisherOf(columns);
  if (finish !== null) for (const row of result) finish(row);
  return result;
}

/**
 * Streams a result in batches of up to `batchSize` rows. At most two batches wait for the
 * consumer; beyond that the socket is paused, so a table of any size streams in bounded memory.
 * Aborting destroys the connection (the only way to stop a running result) and throws.
 */
export async function* streamRows(
  connection: Connection,
  sql: string,
  columns: readonly ColumnSchema[],
  batchSize: number,
  signal: AbortSignal,
): AsyncGenerator<CellValue[][]> {
  signal.throwIfAborted();
  const core = coreOf(connection);
  const finish = rowFinisherOf(columns);
  const ready: CellValue[][][] = [];
  let batch: CellValue[][] = [];
  let isDone = false;
  let failure: unknown = null;
  let isPaused = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };

  const query = core.query({ sql, rowsAsArray: true, typeCast: canonicalTypeCast });
  query.on('fields', (_fields: FieldPacket[]) => undefined);
  query.on('result', (row: unknown) => {
    const cells = row as CellValue[];
    if (finish !== null) finish(cells);
    batch.push(cells);
    if (batch.length >= batchSize) {
      ready.push(batch);
      batch = [];
      if (ready.length >= 2 && !isPaused) {
        isPaused = true;
        core.pause();
      }
      notify();
    }
  });
  query.on('error', (error: unknown) => {
    failure = error;
    notify();
  });
  query.on('end', () => {
    if (batch.length > 0) ready.push(batch);
    batch = [];
    isDone = true;
    notify();
  });
  const onAbort = (): void => {
    failure = signal.reason;
    core.destroy();
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    for (;;) {
      const next = ready.shift();
      if (next !== undefined) {
        if (isPaused && ready.length < 2) {
          isPaused = false;
          core.resume();
        }
        yield next;
        continue;
      }
      if (failure !== null) throw failure;
      if (isDone) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!isDone && failure === null) {
      // The consumer stopped early: the rest of the result cannot be skipped on this session.
      core.destroy();
    }
  }
}
