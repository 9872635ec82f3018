/**
 * The sink stage: the task's events become messages (`message-builder.ts`, the format stage)
 * and kafka-sink delivers them; `deliver` resolves once Kafka acknowledged every message built
 * from its events. Events arrive transformed (selected, filtered, renamed). When the task uses
 * a schema registry, the DTS Avro schema is registered for each topic first and every value is
 * framed with its id.
 */
import type { ChangeEvent, DdlEvent, TableSchema } from '@tidewater/change-events';
import type { CanalJsonValues, DataFormat, PartitionPolicy, TaskConfig } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import { dtsAvroSchemaText } from '@tidewater/formats';
import {
  openKafkaSink,
  registerSchema,
  valueSubject,
  type DeliveryReport,
  type KafkaLog,
  type KafkaSinkOptions,
  type TopicLayout,
} from '@tidewater/kafka-sink';
import { MessageBuilder, type SourceInfo } from './message-builder';
import { ValueArena } from './value-arena';

export interface EventSinkOptions extends KafkaSinkOptions {
  format: DataFormat;
  partitionPolicy: PartitionPolicy;
  source: SourceInfo;
  /** DTS Avro: also write BEGIN/COMMIT/HEARTBEAT records (off: DML and DDL only). */
  transactionRecords?: boolean;
  /** Canal JSON: Canal's value text (`canal`, the default) or Flink's (`flink`). */
  canalJsonValues?: CanalJsonValues;
  /** The first Canal `id` / DTS `Record.id` (default 1). */
  firstId?: number;
}

export interface EventDeliveryReport extends DeliveryReport {
  events: number;
}

/** One table of the schema migration stage: its schema and CREATE TABLE, destination names. */
export interface TableDefinition {
  schema: TableSchema;
  createTable: string;
}

export interface EventSink {
  readonly topics: readonly TopicLayout[];
  deliver(events: readonly ChangeEvent[]): Promise<EventDeliveryReport>;
  /** Schema migration: one CREATE TABLE DDL message per table, to the DDL topic. */
  publishTableSchema(
    tables: readonly TableDefinition[],
  ): Promise<EventDeliveryReport & { schemaIds: Record<string, number> }>;
  close(options?: { discardPending?: boolean }): Promise<void>;
}

/**
 * Registry mode writes the Confluent wire format around Avro bodies. Canal JSON is JSON text
 * that its consumers parse as is, with no registry schema type to frame it, so the
 * combination is refused rather than silently ignored (DTS offers the registry for Avro only).
 */
function registryNeedsAvro(): TidewaterError {
  return new TidewaterError(
    'SINK_REGISTRY_NEEDS_AVRO',
    'The schema registry applies to the DTS Avro format only; this task writes Canal JSON.',
    {
      category: 'invalid_input',
      remedy: 'Turn "Use Kafka Schema Registry" off, or choose DTS Avro as the data format.',
    },
  );
}

export async function openEventSink(options: EventSinkOptions): Promise<EventSink> {
  const { destination } = options;
  const registry = destination.schemaRegistry;
  if (registry.enabled && options.format !== 'dts-avro') throw registryNeedsAvro();
  const topic = destination.topic;
  const ddlTopic = destination.ddlTopic ?? topic;
  const sink = await openKafkaSink(options);
  const schemaIds = new Map<string, number>();
  try {
    if (registry.enabled) {
      const schema = dtsAvroSchemaText();
      for (const name of new Set([topic, ddlTopic])) {
        schemaIds.set(name, await registerSchema(registry, valueSubject(name), schema));
      }
    }
  } catch (error) {
    await sink.close({ discardPending: true });
    throw error;
  }
  // The values' bytes, reused once Kafka acknowledged them (see value-arena.ts): deliveries
  // settle in order, and a failed one stops the reuse.
  const arena = new ValueArena();
  const builder = new MessageBuilder({
    format: options.format,
    partitionPolicy: options.partitionPolicy,
    source: options.source,
    topic,
    ddlTopic,
    partitions: new Map(sink.topics.map((layout) => [layout.topic, layout.partitions])),
    maxMessageBytes: new Map(
      sink.topics.map((layout) => [layout.topic, sink.maxMessageBytes(layout.topic)]),
    ),
    schemaIds,
    ...(options.transactionRecords === undefined
      ? {}
      : { transactionRecords: options.transactionRecords }),
    ...(options.canalJsonValues === undefined ? {} : { canalJsonValues: options.canalJsonValues }),
    ...(options.firstId === undefined ? {} : { firstId: options.firstId }),
    copyValue: (bytes) => arena.copy(bytes),
  });
  // Not an async function: a suspended one keeps its arguments, and the events (row images)
  // would live until Kafka acknowledged them, beside the messages built from them.
  const deliver = (events: readonly ChangeEvent[]): Promise<EventDeliveryReport> => {
    const count = events.length;
    let delivered: Promise<DeliveryReport>;
    let ticket: object;
    try {
      const messages = builder.build(events, Date.now());
      ticket = arena.seal();
      delivered = sink.deliver(messages);
    } catch (error) {
      arena.abandon();
      return Promise.reject(error as Error);
    }
    return delivered.then(
      (report) => {
        arena.done(ticket);
        return { ...report, events: count };
      },
      (error: unknown) => {
        arena.abandon();
        throw error;
      },
    );
  };
  return {
    topics: sink.topics,
    deliver,
    async publishTableSchema(tables) {
      const now = Date.now();
      const events: DdlEvent[] = tables.map(({ schema, createTable }) => ({
        kind: 'ddl',
        database: schema.database,
        table: schema.table,
        ddlKind: 'CREATE',
        sql: createTable,
        isParsed: true,
        timestamp: now,
        position: null,
        gtid: null,
        serverId: null,
      }));
      const report = await deliver(events);
      return { ...report, schemaIds: Object.fromEntries(schemaIds) };
    },
    close: (closeOptions) => sink.close(closeOptions),
  };
}

/** The runner's view of the sink. */
export interface TaskSink {
  /** Resolves after Kafka acknowledged every message built from `events`; bytes sent. */
  deliver(events: readonly ChangeEvent[]): Promise<{ bytes: number }>;
  /** Schema migration: each table's CREATE TABLE (destination names) to the DDL topic. */
  publishSchemas(tables: readonly TableDefinition[]): Promise<void>;
  close(): Promise<void>;
}

export async function openTaskSink(
  config: TaskConfig,
  source: SourceInfo,
  log?: KafkaLog,
): Promise<TaskSink> {
  const sink = await openEventSink({
    destination: config.destination,
    format: config.format,
    partitionPolicy: config.partitionPolicy,
    canalJsonValues: config.advanced.canalJsonValues,
    source,
    // Record ids only need to increase with the stream: a millisecond clock at open keeps
    // them increasing across restarts without persisting a serial.
    firstId: Date.now(),
    // Fail a delivery after about ten seconds of broker trouble instead of minutes: the runner
    // then reports "retrying" with the error and retries from the checkpoint with its own
    // backoff, for the task's retry window.
    limits: { retries: 5, maxRetryTimeMs: 2_000 },
    ...(log ? { log } : {}),
  });
  return {
    // Not async, as in openEventSink: a suspended function would keep the events.
    deliver: (events) => sink.deliver(events).then((report) => ({ bytes: report.bytes })),
    async publishSchemas(tables) {
      if (tables.length === 0) return;
      await sink.publishTableSchema(tables);
    },
    close: () => sink.close(),
  };
}
