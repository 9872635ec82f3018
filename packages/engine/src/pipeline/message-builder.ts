/**
 * The format stage: change events (already selected, filtered and renamed by the transform) →
 * Kafka messages ready for the sink: the values from the task's format (`MessageFormat` of
 * @tidewater/formats), the topic, the key and the partition (`partition-policy.ts`).
 * Pure apart from the message serial and the clock it is handed, so unit tests can pin every
 * byte. One event gives:
 * - Canal JSON: one message holding all its rows (as Canal writes it), or one per row under the
 *   primary-key policy (Canal's `messagePartition` splits the same way); none for BEGIN,
 *   COMMIT and heartbeats, which Canal does not write. A message of several rows that would be
 *   over its topic's `max.message.bytes` is split into messages of consecutive rows (below).
 * - DTS Avro: one record per row (DTS images hold one row), one per DDL; BEGIN, COMMIT and
 *   heartbeat records only when asked for (`transactionRecords`).
 * Under the primary-key policy an UPDATE that changes a row's key becomes, for that row, a
 * DELETE keyed by the old key and then an INSERT keyed by the new one (below).
 */
import type {
  CellValue,
  ChangeEvent,
  DdlEvent,
  DeleteEvent,
  InsertEvent,
  RowEvent,
  RowImage,
  TableSchema,
  UpdateEvent,
} from '@tidewater/change-events';
import type { DataFormat, PartitionPolicy } from '@tidewater/config';
import {
  confluentFrame,
  createFormat,
  type CanalJsonValues,
  type CopyValue,
  type MessageFormat,
} from '@tidewater/formats';
import { BATCH_OVERHEAD_BYTES, recordBytes, type OutgoingMessage } from '@tidewater/kafka-sink';
import type { KeyColumns, Route } from './partition-policy';
import {
  ddlRoute,
  keyColumnsOf,
  partitionOf,
  rowKey,
  tableKey,
  tableRoute,
} from './partition-policy';

/** What the formats need to know of the source. */
export interface SourceInfo {
  /** `SELECT VERSION()` of the source, e.g. `8.0.36` (DTS Avro `source.version`). */
  version: string;
  /** The source's time zone; TIMESTAMP values render in it (Canal JSON, row keys). */
  timeZone: string;
}

export interface MessageBuilderOptions {
  format: DataFormat;
  partitionPolicy: PartitionPolicy;
  source: SourceInfo;
  topic: string;
  /** Where DDL goes; the data topic when the task has no DDL topic. */
  ddlTopic: string;
  /** Partition count per topic. */
  partitions: ReadonlyMap<string, number>;
  /** Schema registry id per topic: values are framed in the Confluent wire format. */
  schemaIds?: ReadonlyMap<string, number>;
  /** DTS Avro only: also write BEGIN, COMMIT and HEARTBEAT records (partition 0, no key). */
  transactionRecords?: boolean;
  /**
   * Canal JSON only: the value text, Canal's (`canal`, the default) or the one Flink's
   * canal-json reads under natural types (`flink`). Keys and partitions do not depend on it.
   */
  canalJsonValues?: CanalJsonValues;
  /** The first Canal `id` / DTS `Record.id`; each message (Avro: record) takes the next. */
  firstId?: number;
  /** Where each value's bytes are copied out of the encoder (default: a new Buffer each). */
  copyValue?: CopyValue;
  /**
   * Per topic, the most bytes a record batch holding one message may take: the topic's
   * `max.message.bytes` (at most the producer's request limit). A Canal JSON message of
   * several rows over it is split; a topic not listed has Kafka's default, 1,048,588.
   */
  maxMessageBytes: ReadonlyMap<string, number>;
}

/** Kafka's default `max.message.bytes`. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * How full a split part is aimed to be: parts are cut by row count in proportion to the
 * encoded size, and rows differ in size, so each aims a little under the limit; a part that
 * still does not fit is split again.
 */
const SPLIT_FILL = 0.9;

/** The event with rows `start` to `end` (exclusive) only. */
function rowsOf(event: RowEvent, start: number, end: number): RowEvent {
  switch (event.kind) {
    case 'snapshot':
    case 'insert':
    case 'delete':
      return { ...event, rows: event.rows.slice(start, end) };
    case 'update':
      return { ...event, rows: event.rows.slice(start, end) };
  }
}

function isSameCell(a: CellValue, b: CellValue): boolean {
  if (Buffer.isBuffer(a)) return Buffer.isBuffer(b) && a.equals(b);
  return Object.is(a, b);
}

/** Whether some row's key columns differ (canonical values; equal values give equal keys). */
function mayChangeKey(event: UpdateEvent, key: KeyColumns): boolean {
  for (const { before, after } of event.rows) {
    for (const i of key.indexes) {
      if (!isSameCell(before[i] ?? null, after[i] ?? null)) return true;
    }
  }
  return false;
}

const leastRowBytesCache = new WeakMap<TableSchema, number>();

/**
 * The fewest bytes one row adds to a Canal JSON message: `{"name":"",…},` with every value an
 * empty string. A message cannot hold more rows than its limit over this, so an event with
 * more is cut before the first encoding, which keeps the text of a huge snapshot chunk from
 * ever being built whole.
 */
function leastRowBytes(schema: TableSchema): number {
  let bytes = leastRowBytesCache.get(schema);
  if (bytes === undefined) {
    // Braces, the comma after the row, a comma between columns, `:""` per column.
    bytes = 3 + schema.columns.length - 1;
    for (const column of schema.columns) {
      bytes += Buffer.byteLength(JSON.stringify(column.name)) + 3;
    }
    leastRowBytesCache.set(schema, bytes);
  }
  return bytes;
}

function message(topic: string, route: Route, value: Buffer, table: string): OutgoingMessage {
  return { topic, ...route, value, size: recordBytes(route.key, value), table };
}

export class MessageBuilder {
  private nextId: number;
  private readonly options: MessageBuilderOptions;
  private readonly format: MessageFormat;

  constructor(options: MessageBuilderOptions) {
    this.options = options;
    this.nextId = options.firstId ?? 1;
    this.format = createFormat(options.format, {
      timeZone: options.source.timeZone,
      sourceVersion: options.source.version,
      transactionRecords: options.transactionRecords === true,
      canalJsonValues: options.canalJsonValues ?? 'canal',
      ...(options.copyValue ? { copyValue: options.copyValue } : {}),
    });
  }

  private partitionsOf(topic: string): number {
    return this.options.partitions.get(topic) ?? 1;
  }

  private frame(topic: string, value: Buffer): Buffer {
    const id = this.options.schemaIds?.get(topic);
    return id === undefined ? value : confluentFrame(id, value);
  }

  /** Every message of `events`, in event order; `now` is the Canal `ts` (build time, ms). */
  build(
    events: readonly ChangeEvent[],
    now: number,
    out: OutgoingMessage[] = [],
  ): OutgoingMessage[] {
    for (const event of events) {
      switch (event.kind) {
        case 'snapshot':
        case 'insert':
        case 'update':
        case 'delete':
          this.buildRows(event, now, out);
          break;
        case 'ddl':
          this.buildDdl(event, now, out);
          break;
        case 'begin':
        case 'commit':
        case 'heartbeat':
          this.buildMarker(event, now, out);
          break;
      }
    }
    return out;
  }

  private maxRecordBytes(topic: string): number {
    const limit = this.options.maxMessageBytes.get(topic) ?? DEFAULT_MAX_MESSAGE_BYTES;
    return limit - BATCH_OVERHEAD_BYTES;
  }

  private buildRows(source: RowEvent, now: number, out: OutgoingMessage[]): void {
    if (source.rows.length === 0) return;
    const { partitionPolicy, topic } = this.options;
    const event = source;
    const schema: TableSchema = event.schema;
    const table = tableKey(schema.database, schema.table) ?? '';
    const key = partitionPolicy === 'hash-primary-key' ? keyColumnsOf(schema) : null;
    if (key !== null) {
      this.buildKeyedRows(event, table, key, now, out);
      return;
    }
    const route = tableRoute(partitionPolicy, table, this.partitionsOf(topic));
    if (this.format.rowsPerMessage === 'row') {
      for (const value of this.encode(event, now)) {
        out.push(message(topic, route, this.frame(topic, value), table));
      }
      return;
    }
    this.buildEventRows(event, route, table, now, out);
  }

  /**
   * The primary-key policy: one message per row, keyed and partitioned by the row key.
   *
   * An UPDATE that changes a row's key (the rendered row key differs) becomes a DELETE of the
   * before image keyed by the old key, on the old key's partition, then an INSERT of the after
   * image keyed by the new key: a consumer that keeps the last message per key (log
   * compaction, a keyed table) then drops the old row instead of keeping it for ever. Debezium
   * does the same (a delete for the old key, then a create); Canal would send one UPDATE
   * hashed by the new key. No tombstone (null value) follows the DELETE: Canal and DTS
   * consumers expect every value to be a message (see the README).
   */
  private buildKeyedRows(
    event: RowEvent,
    table: string,
    key: KeyColumns,
    now: number,
    out: OutgoingMessage[],
  ): void {
    const partitions = this.partitionsOf(this.options.topic);
    const timeZone = this.options.source.timeZone;
    const routeOf = (image: RowImage): Route => {
      const text = rowKey(table, key, image, timeZone);
      return { partition: partitionOf(text, partitions), key: text };
    };

    if (event.kind === 'update' && mayChangeKey(event, key)) {
      for (const pair of event.rows) {
        const before = routeOf(pair.before);
        const after = routeOf(pair.after);
        if (before.key === after.key) {
          this.buildRow({ ...event, rows: [pair] }, after, table, now, out);
          continue;
        }
        const deleted: DeleteEvent = { ...event, kind: 'delete', rows: [pair.before] };
        const inserted: InsertEvent = { ...event, kind: 'insert', rows: [pair.after] };
        this.buildRow(deleted, before, table, now, out);
        this.buildRow(inserted, after, table, now, out);
      }
      return;
    }

    // The after image identifies an UPDATE's row (its key did not change).
    const imageOf = (i: number): RowImage =>
      event.kind === 'update' ? event.rows[i]!.after : event.rows[i]!;
    if (this.format.rowsPerMessage === 'row') {
      const { topic } = this.options;
      const values = this.encode(event, now);
      for (let i = 0; i < values.length; i++) {
        out.push(message(topic, routeOf(imageOf(i)), this.frame(topic, values[i]!), table));
      }
      return;
    }
    if (event.rows.length === 1) {
      this.buildRow(event, routeOf(imageOf(0)), table, now, out);
      return;
    }
    for (let i = 0; i < event.rows.length; i++) {
      this.buildRow(rowsOf(event, i, i + 1), routeOf(imageOf(i)), table, now, out);
    }
  }

  /** The message (DTS Avro: record) of a one-row event. */
  private buildRow(
    event: RowEvent,
    route: Route,
    table: string,
    now: number,
    out: OutgoingMessage[],
  ): void {
    const { topic } = this.options;
    for (const value of this.encode(event, now)) {
      out.push(message(topic, route, this.frame(topic, value), table));
    }
  }

  /**
   * Messages of a whole event on one route (formats with several rows per message: Canal JSON): one message, as Canal writes it, unless
   * it would not fit in a record batch under the topic's `max.message.bytes`. Then the rows
   * are split into consecutive ranges, each its own complete FlatMessage (same `type`,
   * `database`, `table`, `es`, `ts`, its own `id`, `old` split with `data`), written in row
   * order on the same partition with the same key, so a consumer applying them in order gets
   * the same result as from one message. The common case costs one encoding: the event is
   * encoded once and kept if it fits; only a message that does not fit is encoded again, in
   * parts sized from its measured bytes (a part still over the limit is split again). A single
   * row over the limit is kept whole and the sink refuses it (`KAFKA_MESSAGE_TOO_LARGE`).
   */
  private buildEventRows(
    event: RowEvent,
    route: Route,
    table: string,
    now: number,
    out: OutgoingMessage[],
  ): void {
    const { topic } = this.options;
    const maxBytes = this.maxRecordBytes(topic);
    const rows = event.rows.length;
    const mostRows = Math.max(1, Math.floor(maxBytes / leastRowBytes(event.schema)));
    let parts: number;
    if (rows <= mostRows) {
      const whole = message(topic, route, this.frame(topic, this.peek(event, now)), table);
      if (whole.size <= maxBytes || rows === 1) {
        this.nextId += 1;
        out.push(whole);
        return;
      }
      parts = Math.max(2, Math.ceil(whole.size / (maxBytes * SPLIT_FILL)));
    } else {
      parts = Math.ceil(rows / mostRows);
    }
    parts = Math.min(parts, rows);
    for (let part = 0; part < parts; part++) {
      const start = Math.floor((rows * part) / parts);
      const end = Math.floor((rows * (part + 1)) / parts);
      this.buildEventRows(rowsOf(event, start, end), route, table, now, out);
    }
  }

  /** The values of an event, numbered from the serial, which moves past them. */
  private encode(event: ChangeEvent, now: number): Buffer[] {
    const values = this.format.encode(event, this.nextId, now);
    this.nextId += values.length;
    return values;
  }

  /** The one value of a row event with the next serial as its id, without taking it. */
  private peek(event: RowEvent, now: number): Buffer {
    return this.format.encode(event, this.nextId, now)[0]!;
  }

  private buildDdl(source: DdlEvent, now: number, out: OutgoingMessage[]): void {
    const { partitionPolicy, ddlTopic } = this.options;
    const event: DdlEvent = source;
    const { database, table } = event;
    const route = ddlRoute(partitionPolicy, database, table, this.partitionsOf(ddlTopic));
    const label = tableKey(database, table) ?? 'DDL';
    for (const value of this.encode(event, now)) {
      out.push(message(ddlTopic, route, this.frame(ddlTopic, value), label));
    }
  }

  /** BEGIN, COMMIT, heartbeat: written by formats that record them (DTS Avro, when asked). */
  private buildMarker(event: ChangeEvent, now: number, out: OutgoingMessage[]): void {
    const { topic } = this.options;
    for (const value of this.encode(event, now)) {
      out.push(message(topic, { partition: 0, key: null }, this.frame(topic, value), event.kind));
    }
  }
}
