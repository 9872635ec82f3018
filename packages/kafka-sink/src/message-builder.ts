/**
 * Change events (already renamed by the engine's transform) → Kafka messages: format encoding,
 * topic, key and partition.
 * Pure apart from the message serial and the clock it is handed, so unit tests can pin every
 * byte. One event gives:
 * - Canal JSON: one message holding all its rows (as Canal writes it), or one per row under the
 *   primary-key policy (Canal's `messagePartition` splits the same way); none for BEGIN,
 *   COMMIT and heartbeats, which Canal does not write.
 * - DTS Avro: one record per row (DTS images hold one row), one per DDL; BEGIN, COMMIT and
 *   heartbeat records only when asked for (`transactionRecords`).
 */
import type {
  ChangeEvent,
  DdlEvent,
  RowEvent,
  RowImage,
  TableSchema,
} from '@tidewater/change-events';
import type { DataFormat, PartitionPolicy } from '@tidewater/config';
import { confluentFrame, encodeCanalJson, encodeDtsAvro } from '@tidewater/formats';
import { recordBytes } from './send-queue';
import type { Route } from './partition-policy';
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

export interface OutgoingMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer;
  /** Bytes in a record batch (`recordBytes`), computed once here. */
  size: number;
  /** `db.table` (destination names) or the event kind, for error messages. */
  table: string;
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
  /** The first Canal `id` / DTS `Record.id`; each message (Avro: record) takes the next. */
  firstId?: number;
}

function singleRowEvent(event: RowEvent, index: number): RowEvent {
  switch (event.kind) {
    case 'snapshot':
    case 'insert':
    case 'delete':
      return { ...event, rows: [event.rows[index]!] };
    case 'update':
      return { ...event, rows: [event.rows[index]!] };
  }
}

/** The image that identifies the row: the after image of an UPDATE (its new identity). */
function identifyingImage(event: RowEvent, index: number): RowImage {
  return event.kind === 'update' ? event.rows[index]!.after : event.rows[index]!;
}

function message(topic: string, route: Route, value: Buffer, table: string): OutgoingMessage {
  return { topic, ...route, value, size: recordBytes(route.key, value), table };
}

export class MessageBuilder {
  private nextId: number;
  private readonly options: MessageBuilderOptions;

  constructor(options: MessageBuilderOptions) {
    this.options = options;
    this.nextId = options.firstId ?? 1;
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
          this.buildMarker(event, out);
          break;
      }
    }
    return out;
  }

  private buildRows(source: RowEvent, now: number, out: OutgoingMessage[]): void {
    if (source.rows.length === 0) return;
    const { partitionPolicy, topic } = this.options;
    const event = source;
    const schema: TableSchema = event.schema;
    const table = tableKey(schema.database, schema.table) ?? '';
    const partitions = this.partitionsOf(topic);
    const key = partitionPolicy === 'hash-primary-key' ? keyColumnsOf(schema) : null;
    const timeZone = this.options.source.timeZone;

    const rowRoute = (index: number): Route => {
      if (key === null) return tableRoute(partitionPolicy, table, partitions);
      const text = rowKey(table, key, identifyingImage(event, index), timeZone);
      return { partition: partitionOf(text, partitions), key: text };
    };

    if (this.options.format === 'dts-avro') {
      const records = encodeDtsAvro(event, {
        id: this.nextId,
        sourceVersion: this.options.source.version,
      });
      this.nextId += records.length;
      for (let i = 0; i < records.length; i++) {
        const route = rowRoute(i);
        out.push(message(topic, route, this.frame(topic, records[i]!), table));
      }
      return;
    }

    if (key === null || event.rows.length === 1) {
      const route = key === null ? tableRoute(partitionPolicy, table, partitions) : rowRoute(0);
      out.push(message(topic, route, this.canal(event, now), table));
      return;
    }
    for (let i = 0; i < event.rows.length; i++) {
      out.push(message(topic, rowRoute(i), this.canal(singleRowEvent(event, i), now), table));
    }
  }

  private canal(event: RowEvent | DdlEvent, now: number): Buffer {
    const value = encodeCanalJson(event, {
      id: this.nextId,
      ts: now,
      timeZone: this.options.source.timeZone,
    });
    this.nextId += 1;
    return value;
  }

  private buildDdl(source: DdlEvent, now: number, out: OutgoingMessage[]): void {
    const { partitionPolicy, ddlTopic } = this.options;
    const event: DdlEvent = source;
    const { database, table } = event;
    const route = ddlRoute(partitionPolicy, database, table, this.partitionsOf(ddlTopic));
    const label = tableKey(database, table) ?? 'DDL';
    if (this.options.format === 'dts-avro') {
      for (const record of encodeDtsAvro(event, {
        id: this.nextId,
        sourceVersion: this.options.source.version,
      })) {
        this.nextId += 1;
        out.push(message(ddlTopic, route, this.frame(ddlTopic, record), label));
      }
      return;
    }
    out.push(message(ddlTopic, route, this.canal(event, now), label));
  }

  private buildMarker(event: ChangeEvent, out: OutgoingMessage[]): void {
    if (this.options.format !== 'dts-avro' || this.options.transactionRecords !== true) return;
    const { topic } = this.options;
    for (const record of encodeDtsAvro(event, {
      id: this.nextId,
      sourceVersion: this.options.source.version,
    })) {
      this.nextId += 1;
      out.push(message(topic, { partition: 0, key: null }, this.frame(topic, record), event.kind));
    }
  }
}
