/**
 * The watermark reconciliation of the lock-free snapshot (DBLog, Netflix 2019, "DBLog: A
 * Watermark Based Change-Data-Capture Framework"; Flink CDC's incremental snapshot follows the
 * same idea).
 *
 * Each chunk is read between two binlog positions, the low watermark (read before the SELECT)
 * and the high watermark (read after it). The snapshot also walks the binlog forward, window by
 * window, and emits the row changes of the tables it has started as change events, in log
 * order, interleaved with the chunks. For each chunk, every row whose key a change in the
 * chunk's window touched is dropped from the chunk: that change (emitted) carries the row's
 * newer state, so the chunk never overwrites a newer change with an older read. What the
 * consumer receives is therefore, per key, a sequence that ends in the row's latest state, and
 * when the last chunk is out the walk has reached a position from which streaming continues
 * with nothing lost and nothing skipped.
 *
 * Rules, with P the walk cursor (everything up to P has been emitted):
 * - the window of a chunk is (min(low, P), max(high, P)]: starting at P covers a transaction
 *   that was in the binlog before `low` was read but not yet visible to the SELECT, and reaching
 *   P covers changes already emitted while this chunk waited its turn (parallel reads);
 * - a change in the window is emitted if it lies after P and its table has started (a table
 *   starts when its first chunk is scheduled; its earlier changes are in its SELECTs);
 * - a DDL of a table the snapshot reads is emitted even before the table starts: its effect is
 *   in the SELECT, but the consumer also sees the schema change in place (an ALTER before the
 *   rows read after it, a DROP of a table the snapshot then finds gone);
 * - a table the snapshot does not read but the caller migrates (`WalkScope.isPassedThrough`:
 *   a table created under a whole selected database after the table list was made) is passed
 *   through: its DDL and row changes are all emitted, from the walk's start, so its CREATE and
 *   every row written to it arrive in log order and streaming continues after them;
 * - a chunk row is dropped if any change in the window, emitted now or before, touched its key
 *   (before or after image); dropping is safe because every such change was emitted;
 * - after the chunk, P = max(high, P).
 *
 * Matching is by key equality on canonical values only, never by key ranges, so it holds for
 * any collation. It needs full row images (`binlog_row_image=FULL`, a precheck item).
 */

import type { CellValue, ChangeEvent, RowEvent, SourcePosition } from '@tidewater/change-events';
import type { Connection } from 'mysql2/promise';
import { keyIdentity } from './snapshot-sql';

/** Where the snapshot's watermarks come from: the binlog half, supplied by the caller. */
export interface WatermarkSource {
  /** The source's current binlog position (`SHOW MASTER STATUS`), read on the given session. */
  readPosition(connection: Connection): Promise<SourcePosition>;
  /**
   * The change events committed after `low`, up to and including `high`, in log order. Only
   * row and DDL events are used; others may be left out. The walker asks for contiguous windows
   * in increasing order, each starting where the previous one ended.
   */
  readChangesBetween(
    low: SourcePosition,
    high: SourcePosition,
    signal: AbortSignal,
  ): AsyncIterable<ChangeEvent>;
  /**
   * The position with its GTID set filled in, when `readPosition` leaves it out for speed; the
   * snapshot calls it once, for the hand-over position.
   */
  completePosition?(position: SourcePosition, connection: Connection): Promise<SourcePosition>;
}

/** Orders two positions of the same server's binlog: by file sequence number, then offset. */
export function comparePositions(a: SourcePosition, b: SourcePosition): number {
  if (a.file !== b.file) {
    const [aBase, aNumber] = splitFile(a.file);
    const [bBase, bNumber] = splitFile(b.file);
    if (aBase === bBase && aNumber !== bNumber) return aNumber < bNumber ? -1 : 1;
    return a.file < b.file ? -1 : 1;
  }
  return a.pos === b.pos ? 0 : a.pos < b.pos ? -1 : 1;
}

function splitFile(file: string): [string, number] {
  const dot = file.lastIndexOf('.');
  const suffix = dot < 0 ? '' : file.slice(dot + 1);
  return /^\d+$/.test(suffix) ? [file.slice(0, dot), Number(suffix)] : [file, -1];
}

export function laterOf(a: SourcePosition, b: SourcePosition): SourcePosition {
  return comparePositions(a, b) >= 0 ? a : b;
}

export function earlierOf(a: SourcePosition, b: SourcePosition): SourcePosition {
  return comparePositions(a, b) <= 0 ? a : b;
}

/** Which tables' changes the walk emits besides those of the tables that have started. */
export interface WalkScope {
  /** The tables the snapshot reads (their DDL is emitted before they start, rows are not). */
  snapshotTables: ReadonlyArray<{ database: string; table: string }>;
  /**
   * Whether a table the snapshot does not read is migrated all the same, by its changes: every
   * DDL and row change of it is emitted. Table `''` stands for the database itself (database
   * DDL). Never asked about the snapshot's own tables.
   */
  isPassedThrough(database: string, table: string): boolean;
}

/** A table of the snapshot, as the walker sees it. */
export interface WatchedTable {
  database: string;
  table: string;
  /** Names of the key columns the chunks are matched by; empty for tables read in one pass. */
  keyColumns: string[];
}

export interface ChunkToReconcile {
  table: WatchedTable;
  /** The chunk's rows in key order, as read. */
  rows: CellValue[][];
  /** Positions of the key columns in `rows`. */
  keyIndexes: number[];
  low: SourcePosition;
  high: SourcePosition;
}

export type WalkOutput =
  { kind: 'change'; event: ChangeEvent } | { kind: 'chunk'; rows: CellValue[][]; dropped: number };

/**
 * A chunk's claim on the binlog history: from before its low watermark is read until the chunk
 * is reconciled, the walker keeps the key changes its window may need.
 */
export interface LowWatermarkHold {
  /** The low watermark once read; null while it is being read. */
  position: SourcePosition | null;
}

interface Touch {
  position: SourcePosition;
  table: string;
  key: string;
}

/**
 * Walks the binlog forward, window by window, and yields, in order, the changes to emit and
 * then each chunk with the rows touched in its window left out. The binlog is read once, never
 * twice: the keys changed since the oldest low watermark still held are remembered (bounded by
 * the source's write rate during a few chunk reads), so a chunk whose window reaches back
 * before the cursor (parallel reads) is matched against changes already walked.
 */
export class WatermarkWalker {
  private cursor: SourcePosition;
  /** Started tables by id, with the key columns their changes are matched by. */
  private readonly started = new Map<string, readonly string[]>();
  private touches: Touch[] = [];
  private readonly holds = new Set<LowWatermarkHold>();
  private readonly snapshotTables: ReadonlySet<string>;
  private readonly isPassedThrough: (database: string, table: string) => boolean;

  constructor(
    private readonly source: WatermarkSource,
    start: SourcePosition,
    scope: Partial<WalkScope> = {},
  ) {
    this.cursor = start;
    this.snapshotTables = new Set(
      (scope.snapshotTables ?? []).map((table) => tableId(table.database, table.table)),
    );
    this.isPassedThrough = scope.isPassedThrough ?? (() => false);
  }

  /** Everything up to here has been emitted; streaming continues after it. */
  get position(): SourcePosition {
    return this.cursor;
  }

  /**
   * From now on the table's changes are emitted and remembered by key (call before its first
   * chunk's low watermark is read).
   */
  startTable(table: { database: string; table: string; keyColumns?: readonly string[] }): void {
    this.started.set(tableId(table.database, table.table), table.keyColumns ?? []);
  }

  hasStarted(database: string, table: string): boolean {
    return this.started.has(tableId(database, table));
  }

  /** Call before reading a chunk's low watermark; set `position` once read. */
  holdLowWatermark(): LowWatermarkHold {
    const hold: LowWatermarkHold = { position: null };
    this.holds.add(hold);
    return hold;
  }

  releaseLowWatermark(hold: LowWatermarkHold | null): void {
    if (hold === null) return;
    this.holds.delete(hold);
    this.prune();
  }

  async *reconcile(chunk: ChunkToReconcile, signal: AbortSignal): AsyncGenerator<WalkOutput> {
    const windowStart = earlierOf(chunk.low, this.cursor);
    yield* this.walk(chunk.high, signal);
    const chunkId = tableId(chunk.table.database, chunk.table.table);
    const touched = new Set<string>();
    for (const touch of this.touches) {
      if (touch.table === chunkId && comparePositions(touch.position, windowStart) > 0) {
        touched.add(touch.key);
      }
    }
    this.prune();
    if (touched.size === 0 || chunk.keyIndexes.length === 0) {
      yield { kind: 'chunk', rows: chunk.rows, dropped: 0 };
      return;
    }
    const kept = chunk.rows.filter(
      (row) => !touched.has(keyIdentity(chunk.keyIndexes.map((index) => row[index] as CellValue))),
    );
    yield { kind: 'chunk', rows: kept, dropped: chunk.rows.length - kept.length };
  }

  /** Moves the cursor forward to `to` (if behind), emitting the started tables' changes. */
  async *advanceTo(to: SourcePosition, signal: AbortSignal): AsyncGenerator<WalkOutput> {
    yield* this.walk(to, signal);
    this.prune();
  }

  private async *walk(to: SourcePosition, signal: AbortSignal): AsyncGenerator<WalkOutput> {
    if (comparePositions(this.cursor, to) >= 0) return;
    for await (const event of this.source.readChangesBetween(this.cursor, to, signal)) {
      if (event.kind !== 'ddl' && !isRowChange(event)) continue;
      const [database, table] =
        event.kind === 'ddl'
          ? [event.database, event.table]
          : [event.schema.database, event.schema.table];
      const id = tableId(database, table);
      const keyColumns = this.started.get(id);
      if (keyColumns === undefined) {
        const isEmitted = this.snapshotTables.has(id)
          ? event.kind === 'ddl'
          : this.isPassedThrough(database, table);
        if (!isEmitted) continue;
      }
      if (event.position !== null && comparePositions(event.position, this.cursor) <= 0) continue;
      yield { kind: 'change', event };
      if (
        event.kind !== 'ddl' &&
        event.position !== null &&
        keyColumns !== undefined &&
        keyColumns.length > 0
      ) {
        const keys = new Set<string>();
        collectKeys(event, keyColumns, keys);
        for (const key of keys) this.touches.push({ position: event.position, table: id, key });
      }
    }
    this.cursor = to;
  }

  /** Forgets changes older than every window still to be reconciled. */
  private prune(): void {
    let bound = this.cursor;
    for (const hold of this.holds) {
      if (hold.position === null) return;
      bound = earlierOf(bound, hold.position);
    }
    let keep = 0;
    while (
      keep < this.touches.length &&
      comparePositions((this.touches[keep] as Touch).position, bound) <= 0
    ) {
      keep += 1;
    }
    if (keep > 0) this.touches = this.touches.slice(keep);
  }
}

function isRowChange(event: ChangeEvent): event is Exclude<RowEvent, { kind: 'snapshot' }> {
  return event.kind === 'insert' || event.kind === 'update' || event.kind === 'delete';
}

function tableId(database: string, table: string): string {
  return `${database.length}:${database}.${table}`;
}

function collectKeys(
  event: Exclude<RowEvent, { kind: 'snapshot' }>,
  keyColumns: readonly string[],
  into: Set<string>,
): void {
  if (keyColumns.length === 0) return;
  const names = event.schema.columns.map((column) => column.name.toLowerCase());
  const indexes = keyColumns.map((name) => names.indexOf(name.toLowerCase()));
  // A change written with a schema that lacks a key column cannot be matched; it still goes
  // out as a change, and the chunk keeps its rows.
  if (indexes.some((index) => index < 0)) return;
  const add = (image: CellValue[]): void => {
    into.add(keyIdentity(indexes.map((index) => image[index] as CellValue)));
  };
  if (event.kind === 'update') {
    for (const pair of event.rows) {
      add(pair.before);
      add(pair.after);
    }
  } else {
    for (const image of event.rows) add(image);
  }
}
