/**
 * The full data migration: every chosen table read in key order, in chunks, as
 * `SnapshotRowsEvent`s, each with the checkpoint to store once the sink has acknowledged it.
 *
 * Reading. A table with a primary key (or a NOT NULL unique key) is read by keyset pagination:
 * `WHERE key > last ORDER BY key LIMIT n`, never more than a chunk (plus one read ahead) in
 * memory. With `concurrency` > 1 the key range is first cut into chunks by boundary queries
 * (the n-th key after the last boundary) and up to `concurrency` chunks are read at once on
 * separate sessions; chunks are still emitted in key order. A table without a usable key is read
 * in one pass as a stream, with backpressure.
 *
 * Consistency. With a `WatermarkSource` (positions and changes from the binlog half; see
 * `binlogWatermarks`), nothing is locked and no long transaction is held: each chunk is
 * reconciled with the changes between its watermarks, and those changes are emitted among the
 * chunks (snapshot-watermark.ts). Per key, the consumer receives a sequence ending in the row's
 * state at `streamFrom`, where streaming continues with nothing lost and nothing emitted twice
 * (except what a resume repeats). Tables without a usable key cannot be matched by key: their
 * rows are what the one pass read and their changes during it are emitted too, so such a row
 * changed during the pass may arrive twice (at least once). Without a `WatermarkSource` each
 * chunk is what its SELECT saw (`consistency: 'none'`): right for a source without writes or a
 * full data migration without incremental migration.
 *
 * Tables that come and go. With `isSelected`, a selected table that is not among `tables`
 * (created under a whole selected database after the list was made) is passed through: the walk
 * emits its CREATE and every change of it from the start position on, in log order (see
 * snapshot-watermark.ts), and streaming continues after them. Pass a `startPosition` read
 * before the list was made, so a table created in between is covered from its CREATE too. With
 * watermarks, a table of `tables` that no longer exists when its turn comes is done with no rows
 * (the walk emits its DROP, and its changes should it come back); without, it is an error.
 *
 * Resuming. The checkpoint names the table and the last key of the last emitted chunk (plus the
 * walk position): a restarted snapshot continues after that key, so at most the chunks emitted
 * but not acknowledged are read again. A table read in one pass resumes by skipping the rows it
 * already emitted (`LIMIT skip, …` over the same scan order, the storage engine's: InnoDB's
 * clustered order, stable unless rows before the resume point were deleted or the table
 * rebuilt in between, when rows may be skipped or repeated; the precheck warns about such
 * tables for this reason). Pass the same `tables` as before, in the same order: a table created
 * since is left out and stays passed through, one dropped since may be missing. When the table
 * the checkpoint names was dropped since (watermark mode), its place in the order is unknown,
 * so every table is read again (the walk still continues from the checkpoint: nothing is lost,
 * rows sent before are sent again).
 */

import type {
  CellValue,
  ChangeEvent,
  SnapshotRowsEvent,
  SourcePosition,
  TableSchema,
} from '@tidewater/change-events';
import type { Connection } from 'mysql2/promise';
import { TidewaterError, isTidewaterError } from '@tidewater/errors';
import { isConnectionLost, type SourceConnection } from './connect';
import { parseRowFilter } from './filter';
import { describeTable, findTable, tableNotFound, type TableDescription } from './introspect';
import {
  chooseSnapshotKey,
  chunkBoundarySql,
  chunkSelectSql,
  fullScanSql,
  toKeyValue,
  type KeyValue,
  type SnapshotKey,
} from './snapshot-sql';
import { selectRows, streamRows } from './snapshot-query';
import { WatermarkWalker, type LowWatermarkHold, type WatermarkSource } from './snapshot-watermark';

export interface SnapshotTable {
  database: string;
  table: string;
  /** The operator's WHERE filter for this table, checked by `parseRowFilter`. */
  filter?: string | null;
}

/** Where a snapshot is; JSON-safe, stored by the engine after the sink acknowledges. */
export interface SnapshotResumePoint {
  version: 1;
  /** The table the snapshot is in; the tables before it in the task's order are done. */
  database: string;
  table: string;
  /** Last key of the last emitted chunk; null before the first chunk and for one-pass tables. */
  lastKey: KeyValue[] | null;
  /** Rows of this table emitted so far (the resume point of a table read in one pass). */
  rowsEmitted: number;
  isTableDone: boolean;
  /** Watermark mode: every change up to here was emitted; the walk continues after it. */
  position: SourcePosition | null;
  /** The binlog position read before the snapshot's first chunk (watermark mode). */
  startPosition: SourcePosition | null;
}

export type SnapshotConsistency =
  /** Chunks reconciled with the binlog; stream from `streamFrom`, nothing lost or doubled. */
  | 'watermark'
  /** No binlog: each chunk is what its SELECT saw. */
  | 'none';

export type SnapshotRecord =
  | {
      kind: 'chunk';
      event: SnapshotRowsEvent;
      /** Rows left out because a change emitted before carries their newer state. */
      droppedRows: number;
      checkpoint: SnapshotResumePoint;
    }
  /** A change from the binlog, emitted among the chunks (watermark mode). */
  | { kind: 'change'; event: ChangeEvent }
  | {
      kind: 'table-done';
      database: string;
      table: string;
      rowsEmitted: number;
      checkpoint: SnapshotResumePoint;
    }
  | {
      kind: 'done';
      consistency: SnapshotConsistency;
      /** Where streaming starts (exclusive); null without positions. */
      streamFrom: SourcePosition | null;
    };

export interface SnapshotOptions {
  /** Opens a session to the source; called once, or once per reader with concurrency > 1. */
  connect(): Promise<SourceConnection>;
  tables: readonly SnapshotTable[];
  /** Rows per chunk; 8192 when absent. */
  chunkSize?: number;
  /** Chunks read at once, each on its own session; 1 when absent (one chunk read ahead). */
  concurrency?: number;
  resumeFrom?: SnapshotResumePoint | null;
  /** Binlog positions, and optionally changes, from the binlog half. */
  watermarks?: WatermarkSource | null;
  /**
   * Which tables the caller migrates (table `''`: the database itself). With watermarks, a
   * selected table not among `tables` is passed through (see the file comment).
   */
  isSelected?: (database: string, table: string) => boolean;
  /**
   * Where a fresh snapshot's walk starts: a position read before `tables` was listed. Read when
   * the snapshot starts if absent; a resumed snapshot uses its checkpoint's.
   */
  startPosition?: SourcePosition | null;
  signal?: AbortSignal;
}

export const DEFAULT_CHUNK_SIZE = 8192;
const MAX_CHUNK_SIZE = 1_000_000;
const MAX_CONCURRENCY = 64;

/** Reads the tables; see the file comment for what the items mean and guarantee. */
export async function* readSnapshot(options: SnapshotOptions): AsyncGenerator<SnapshotRecord> {
  const chunkSize = checkedInteger(
    'chunkSize',
    options.chunkSize ?? DEFAULT_CHUNK_SIZE,
    1,
    MAX_CHUNK_SIZE,
  );
  const concurrency = checkedInteger('concurrency', options.concurrency ?? 1, 1, MAX_CONCURRENCY);
  const signal = options.signal ?? new AbortController().signal;
  const watermarks = options.watermarks ?? null;
  const resume = options.resumeFrom ?? null;
  const sessions = new SessionPool(options.connect);
  /** The table being read, for the message of a failure. */
  let reading: SnapshotTable | null = null;
  try {
    const main = await sessions.open();
    signal.throwIfAborted();

    let startIndex = 0;
    /** The checkpoint of the table the snapshot resumes in; null when it starts over. */
    let tableResume = resume;
    if (resume !== null) {
      startIndex = options.tables.findIndex(
        (spec) => spec.database === resume.database && spec.table === resume.table,
      );
      if (startIndex < 0) {
        const isDropped =
          watermarks !== null &&
          resume.position !== null &&
          (await findTable(main.connection, resume.database, resume.table)) === null;
        if (!isDropped) throw checkpointNotInTask(resume);
        // Dropped since the checkpoint: every table is read again (see the file comment).
        startIndex = 0;
        tableResume = null;
      }
    }
    const startPosition =
      resume?.startPosition ??
      (watermarks === null
        ? null
        : (options.startPosition ?? (await watermarks.readPosition(main.connection))));
    const walker =
      watermarks !== null && startPosition !== null
        ? new WatermarkWalker(watermarks, resume?.position ?? startPosition, {
            snapshotTables: options.tables,
            isPassedThrough: options.isSelected ?? (() => false),
          })
        : null;
    if (walker !== null) {
      for (const spec of options.tables.slice(0, startIndex)) walker.startTable(spec);
    }

    const context: TableContext = {
      main,
      sessions,
      chunkSize,
      concurrency,
      signal,
      watermarks,
      walker,
      startPosition,
    };
    for (let index = startIndex; index < options.tables.length; index += 1) {
      const spec = options.tables[index] as SnapshotTable;
      const resumeHere = index === startIndex ? tableResume : null;
      if (resumeHere?.isTableDone === true) {
        walker?.startTable(spec);
        continue;
      }
      reading = spec;
      yield* readTable(spec, resumeHere, context);
    }
    reading = null;

    const streamFrom = walker?.position ?? startPosition;
    yield {
      kind: 'done',
      consistency: walker !== null ? 'watermark' : 'none',
      streamFrom:
        streamFrom !== null && watermarks?.completePosition !== undefined
          ? await watermarks.completePosition(streamFrom, main.connection)
          : streamFrom,
    };
  } catch (error) {
    throw signal.aborted ? error : snapshotFailure(error, reading);
  } finally {
    await sessions.closeAll();
  }
}

/**
 * A lost session (network, server restart, KILL) becomes SOURCE_CONNECTION_LOST, retryable: the
 * caller retries within its retry window and resumes from the last acknowledged checkpoint.
 * Every other failure is thrown as it is, so it fails the task with its own reason.
 */
function snapshotFailure(error: unknown, table: SnapshotTable | null): unknown {
  if (!isConnectionLost(error)) return error;
  const { code, errno, message } = error as { code?: unknown; errno?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  const where =
    table === null
      ? 'during the full data migration'
      : `while the full data migration read ${table.database}.${table.table}`;
  return new TidewaterError(
    'SOURCE_CONNECTION_LOST',
    `The connection to the source was lost ${where} (${reason.replace(/\.$/, '')}).`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        "Tidewater retries within the task's retry window and resumes after the last acknowledged chunk. If it keeps failing, check the network path to the source and its error log for restarts or killed sessions (KILL, wait_timeout, a proxy closing idle connections).",
      details: {
        ...(table === null ? {} : { database: table.database, table: table.table }),
        ...(typeof code === 'string' ? { driverCode: code } : {}),
        ...(typeof errno === 'number' ? { errno } : {}),
      },
      cause: error,
    },
  );
}

interface TableContext {
  main: SourceConnection;
  sessions: SessionPool;
  chunkSize: number;
  concurrency: number;
  signal: AbortSignal;
  watermarks: WatermarkSource | null;
  walker: WatermarkWalker | null;
  startPosition: SourcePosition | null;
}

/** One chunk as read, before reconciliation. */
interface ChunkRead {
  rows: CellValue[][];
  /** The key the next chunk starts after; null when the chunk was empty and had no bound. */
  lastKey: KeyValue[] | null;
  isLast: boolean;
  low: SourcePosition | null;
  high: SourcePosition | null;
  /** Keeps the walker's memory of changes since `low` until the chunk is reconciled. */
  hold: LowWatermarkHold | null;
}

async function* readTable(
  spec: SnapshotTable,
  resume: SnapshotResumePoint | null,
  context: TableContext,
): AsyncGenerator<SnapshotRecord> {
  let rowsEmitted = resume?.rowsEmitted ?? 0;
  let lastKey = resume?.lastKey ?? null;
  const checkpoint = (isTableDone: boolean): SnapshotResumePoint => ({
    version: 1,
    database: spec.database,
    table: spec.table,
    lastKey,
    rowsEmitted,
    isTableDone,
    position: context.walker?.position ?? null,
    startPosition: context.startPosition,
  });
  const tableDone = (): SnapshotRecord => ({
    kind: 'table-done',
    database: spec.database,
    table: spec.table,
    rowsEmitted,
    checkpoint: checkpoint(true),
  });

  const description = await describeTableIfExists(context.main.connection, spec);
  if (description === null) {
    // Without the walk nothing would tell the consumer that the table went away.
    if (context.walker === null) throw tableNotFound(spec.database, spec.table);
    // Dropped since the table list was made: nothing to read. Its DROP was or will be emitted
    // by the walk; should it be created again, its changes are emitted from here on.
    context.walker.startTable(spec);
    yield tableDone();
    return;
  }
  const { schema } = description;
  const filter =
    spec.filter === undefined || spec.filter === null || spec.filter.trim() === ''
      ? null
      : parseRowFilter(spec.filter, schema);
  const key = chooseSnapshotKey(schema, description.uniqueKeys);
  context.walker?.startTable({
    ...spec,
    keyColumns: key?.columns.map((column) => column.name) ?? [],
  });

  const chunks =
    key === null
      ? readInOnePass(schema, filter?.sql ?? null, rowsEmitted, context)
      : context.concurrency > 1
        ? readChunksInParallel(schema, key, filter?.sql ?? null, lastKey, context)
        : readChunksInSequence(schema, key, filter?.sql ?? null, lastKey, context);

  for await (const chunk of chunks) {
    let rows = chunk.rows;
    let droppedRows = 0;
    const { walker } = context;
    if (walker !== null && chunk.low !== null && chunk.high !== null) {
      for await (const output of walker.reconcile(
        {
          table: { ...spec, keyColumns: key?.columns.map((column) => column.name) ?? [] },
          rows,
          keyIndexes: key?.indexes ?? [],
          low: chunk.low,
          high: chunk.high,
        },
        context.signal,
      )) {
        if (output.kind === 'change') {
          yield { kind: 'change', event: output.event };
        } else {
          rows = output.rows;
          droppedRows = output.dropped;
        }
      }
    }
    context.walker?.releaseLowWatermark(chunk.hold);
    if (chunk.lastKey !== null) lastKey = chunk.lastKey;
    rowsEmitted += rows.length;
    yield {
      kind: 'chunk',
      event: snapshotEvent(schema, rows),
      droppedRows,
      checkpoint: checkpoint(false),
    };
  }
  yield tableDone();
}

async function describeTableIfExists(
  connection: Connection,
  spec: SnapshotTable,
): Promise<TableDescription | null> {
  try {
    return await describeTable(connection, spec.database, spec.table);
  } catch (error) {
    if (isTidewaterError(error) && error.code === 'SOURCE_TABLE_NOT_FOUND') return null;
    throw error;
  }
}

function snapshotEvent(schema: TableSchema, rows: CellValue[][]): SnapshotRowsEvent {
  return {
    kind: 'snapshot',
    schema,
    rows,
    timestamp: Date.now(),
    position: null,
    gtid: null,
    serverId: null,
  };
}

/** Keyset pagination on one session, the next chunk read while the current one is emitted. */
async function* readChunksInSequence(
  schema: TableSchema,
  key: SnapshotKey,
  filterSql: string | null,
  after: KeyValue[] | null,
  context: TableContext,
): AsyncGenerator<ChunkRead> {
  const connection = context.main.connection;
  // The high watermark of a chunk is also the next chunk's low: it was read before the next
  // SELECT, and an earlier low only widens the window, so one position read per chunk is saved.
  const read = async (
    from: KeyValue[] | null,
    knownLow: SourcePosition | null,
  ): Promise<ChunkRead> => {
    const { hold, low } =
      knownLow === null || context.walker === null
        ? await readLowWatermark(context, connection)
        : { hold: holdAt(context.walker, knownLow), low: knownLow };
    context.signal.throwIfAborted();
    const rows = await selectRows(
      connection,
      chunkSelectSql({ schema, key, after: from, upTo: null, filterSql, limit: context.chunkSize }),
      schema.columns,
    );
    const high = await readPosition(context, connection);
    const last = rows[rows.length - 1];
    return {
      rows,
      lastKey:
        last === undefined
          ? from
          : key.indexes.map((index) => toKeyValue(last[index] as CellValue)),
      isLast: rows.length < context.chunkSize,
      low,
      high,
      hold,
    };
  };
  let next = awaitedLater(read(after, null));
  for (;;) {
    const chunk = await next;
    if (!chunk.isLast) next = awaitedLater(read(chunk.lastKey, chunk.high));
    yield chunk;
    if (chunk.isLast) return;
  }
}

/**
 * Chunk boundaries from the main session, chunk reads on up to `concurrency` sessions, chunks
 * yielded in key order as they complete.
 */
async function* readChunksInParallel(
  schema: TableSchema,
  key: SnapshotKey,
  filterSql: string | null,
  after: KeyValue[] | null,
  context: TableContext,
): AsyncGenerator<ChunkRead> {
  const boundaryColumns = key.columns;
  const nextBoundary = async (from: KeyValue[] | null): Promise<KeyValue[] | null> => {
    const rows = await selectRows(
      context.main.connection,
      chunkBoundarySql(schema, key, from, context.chunkSize),
      boundaryColumns,
    );
    const row = rows[0];
    return row === undefined ? null : row.map((value) => toKeyValue(value));
  };
  const read = async (from: KeyValue[] | null, upTo: KeyValue[] | null): Promise<ChunkRead> => {
    const session = await context.sessions.acquire(context.concurrency);
    try {
      context.signal.throwIfAborted();
      const connection = session.connection;
      const { hold, low } = await readLowWatermark(context, connection);
      const rows = await selectRows(
        connection,
        chunkSelectSql({ schema, key, after: from, upTo, filterSql, limit: null }),
        schema.columns,
      );
      const high = await readPosition(context, connection);
      const last = rows[rows.length - 1];
      const lastKey =
        upTo ??
        (last === undefined
          ? from
          : key.indexes.map((index) => toKeyValue(last[index] as CellValue)));
      return { rows, lastKey, isLast: upTo === null, low, high, hold };
    } finally {
      context.sessions.release(session);
    }
  };

  const inFlight: Array<Promise<ChunkRead>> = [];
  let from = after;
  let hasMore = true;
  while (hasMore || inFlight.length > 0) {
    while (hasMore && inFlight.length < context.concurrency) {
      context.signal.throwIfAborted();
      const upTo = await nextBoundary(from);
      inFlight.push(awaitedLater(read(from, upTo)));
      from = upTo;
      hasMore = upTo !== null;
    }
    const chunk = await (inFlight.shift() as Promise<ChunkRead>);
    yield chunk;
  }
}

/** A table without a usable key: one streamed pass, batches of a chunk's size. */
async function* readInOnePass(
  schema: TableSchema,
  filterSql: string | null,
  skip: number,
  context: TableContext,
): AsyncGenerator<ChunkRead> {
  // A session of its own: stopping a stream early leaves its session unusable.
  const session = await context.sessions.acquire(1);
  try {
    const { hold, low } = await readLowWatermark(context, session.connection);
    const batches = streamRows(
      session.connection,
      fullScanSql(schema, filterSql, skip),
      schema.columns,
      context.chunkSize,
      context.signal,
    );
    let previous: CellValue[][] | null = null;
    for await (const rows of batches) {
      if (previous !== null) {
        yield { rows: previous, lastKey: null, isLast: false, low: null, high: null, hold: null };
      }
      previous = rows;
    }
    const high = await readPosition(context, session.connection);
    // The last batch carries the pass's watermarks: the walk catches up over the whole pass
    // (rows changed meanwhile may arrive twice, once read and once as a change).
    yield { rows: previous ?? [], lastKey: null, isLast: true, low, high, hold };
  } finally {
    context.sessions.release(session);
  }
}

function holdAt(walker: WatermarkWalker, position: SourcePosition): LowWatermarkHold {
  const hold = walker.holdLowWatermark();
  hold.position = position;
  return hold;
}

/** The low watermark, held in the walker from before it is read (see LowWatermarkHold). */
async function readLowWatermark(
  context: TableContext,
  connection: Connection,
): Promise<{ hold: LowWatermarkHold | null; low: SourcePosition | null }> {
  const hold = context.walker?.holdLowWatermark() ?? null;
  const low = await readPosition(context, connection);
  if (hold !== null) hold.position = low;
  return { hold, low };
}

async function readPosition(
  context: TableContext,
  connection: Connection,
): Promise<SourcePosition | null> {
  return context.watermarks === null || context.walker === null
    ? null
    : context.watermarks.readPosition(connection);
}

/**
 * Marks a promise as awaited later, so a failure while the consumer is busy is not reported
 * as unhandled; the same promise is awaited (and its failure thrown) by the reader, or the
 * snapshot has already ended and closed the session that failed.
 */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Sessions for the snapshot: the main one, plus one per parallel reader, opened on demand. */
class SessionPool {
  private readonly all: SourceConnection[] = [];
  private readonly idle: SourceConnection[] = [];
  private readonly waiting: Array<(session: SourceConnection) => void> = [];
  private opening = 0;

  constructor(private readonly connect: () => Promise<SourceConnection>) {}

  /** A session owned by the caller until the pool closes (the main session). */
  async open(): Promise<SourceConnection> {
    const session = await this.connect();
    this.all.push(session);
    return session;
  }

  /** A reader session: an idle one, a new one, or the next one released. */
  async acquire(limit: number): Promise<SourceConnection> {
    const idle = this.idle.pop();
    if (idle !== undefined) return idle;
    if (this.all.length + this.opening - 1 < limit) {
      this.opening += 1;
      try {
        return await this.open();
      } finally {
        this.opening -= 1;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(session: SourceConnection): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter(session);
    else this.idle.push(session);
  }

  async closeAll(): Promise<void> {
    const sessions = this.all.splice(0);
    this.idle.length = 0;
    await Promise.all(
      sessions.map(async (session) => {
        try {
          await session.close();
        } catch {
          // Ending a session that a stopped stream left busy fails; destroying it is the end.
          session.connection.destroy();
        }
      }),
    );
  }
}

function checkedInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TidewaterError(
      'SNAPSHOT_OPTION_INVALID',
      `The snapshot ${name} is ${String(value)}; it must be a whole number from ${min} to ${max}.`,
      { category: 'invalid_input', remedy: `Set ${name} between ${min} and ${max}.` },
    );
  }
  return value;
}

function checkpointNotInTask(checkpoint: SnapshotResumePoint): TidewaterError {
  return new TidewaterError(
    'SNAPSHOT_CHECKPOINT_INVALID',
    `The checkpoint is in table ${checkpoint.database}.${checkpoint.table}, which is not among the tables to migrate.`,
    {
      category: 'conflict',
      remedy: 'The chosen objects changed since the checkpoint; restart the full data migration.',
      details: { database: checkpoint.database, table: checkpoint.table },
    },
  );
}
