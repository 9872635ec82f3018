/**
 * What the binlog integration tests share: opening a stream on the test source, collecting
 * its events until a condition holds (with a deadline), and the canonical values a `SELECT`
 * returns for a table (canonical.ts, as the snapshot reads them) to compare decoded rows with.
 */
import type { CellValue, ChangeEvent, RowImage, SourcePosition } from '@tidewater/change-events';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { canonicalTypeCast, rowFinisherOf, selectExpressionOf } from '../src/canonical';
import { readBinlogPosition } from '../src/binlog/binlog-position';
import {
  openBinlogStream,
  type BinlogResumePoint,
  type BinlogStream,
  type BinlogStreamOptions,
  type BinlogWarning,
} from '../src/binlog/binlog-stream';
import { quoteIdentifier } from '../src/identifiers';
import { readTableSchema } from '../src/introspect';
import { sourceOptions } from './source-fixture';

export interface TestStream {
  stream: BinlogStream;
  warnings: BinlogWarning[];
  events: ChangeEvent[];
  /** The resume point the stream gave with `event` (commits, DDL), null for others. */
  resumeOf(event: ChangeEvent): BinlogResumePoint | null;
  /** Reads events until `isDone` says so or the deadline passes (then throws with what it saw). */
  readUntil(isDone: (events: ChangeEvent[]) => boolean, timeoutMs?: number): Promise<ChangeEvent[]>;
  close(): void;
}

export async function startPosition(connection: Connection): Promise<SourcePosition> {
  return readBinlogPosition(connection);
}

export async function openTestStream(
  start: SourcePosition,
  options: Partial<BinlogStreamOptions> = {},
): Promise<TestStream> {
  const warnings: BinlogWarning[] = [];
  const stream = await openBinlogStream({
    source: sourceOptions(),
    start,
    heartbeatIntervalMs: 1000,
    onWarning: (warning) => warnings.push(warning),
    ...options,
  });
  const events: ChangeEvent[] = [];
  const resumes = new Map<ChangeEvent, BinlogResumePoint>();
  const iterator = stream.records()[Symbol.asyncIterator]();
  return {
    stream,
    warnings,
    events,
    resumeOf: (event) => resumes.get(event) ?? null,
    readUntil: async (isDone, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!isDone(events)) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${events.length} events: ${events
              .slice(-5)
              .map((e) => e.kind)
              .join(', ')}`,
          );
        }
        const result = await iterator.next();
        if (result.done) break;
        const { event, resume } = result.value;
        if (event.kind === 'heartbeat') continue;
        events.push(event);
        if (resume) resumes.set(event, resume);
      }
      return events;
    },
    close: () => stream.close(),
  };
}

/** Every row image the events inserted into `table`, in order. */
export function insertedRows(events: ChangeEvent[], table: string): RowImage[] {
  return events.flatMap((event) =>
    event.kind === 'insert' && event.schema.table === table ? event.rows : [],
  );
}

/** Cells as comparable text: buffers as `hex:…`, numbers as `num:…`. */
export function show(value: CellValue): string | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (typeof value === 'number') return `num:${Object.is(value, -0) ? '-0' : String(value)}`;
  return value;
}

/** The table's rows as a snapshot `SELECT` reads them (canonical values), in key order. */
export async function selectCanonical(
  connection: Connection,
  database: string,
  table: string,
  orderBy: string,
): Promise<RowImage[]> {
  const schema = await readTableSchema(connection, database, table);
  const [rows] = await connection.query<RowDataPacket[]>({
    sql: `SELECT ${schema.columns.map(selectExpressionOf).join(', ')} FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)} ORDER BY ${orderBy}`,
    rowsAsArray: true,
    typeCast: canonicalTypeCast,
  });
  const finish = rowFinisherOf(schema.columns);
  return (rows as unknown as CellValue[][]).map((row) => {
    finish?.(row);
    return row;
  });
}

/** True once `count` commits have arrived (the stream only delivers transactions of captured tables). */
export function isCommitCount(count: number): (events: ChangeEvent[]) => boolean {
  return (events) => events.filter((event) => event.kind === 'commit').length >= count;
}
