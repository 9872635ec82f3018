/**
 * Sink throughput: ~500-byte Canal JSON messages and the same rows as DTS Avro, produced with
 * acks=all by the idempotent producer to a fresh one-partition topic (the shape of the floors
 * section's ProducerPerformance run), median of several runs. Beside the sink itself it
 * measures the parts, to show where the time goes:
 * - `encode`: building the messages only (format, key, partition), no I/O;
 * - `kafkajs`: the same pre-built messages through bare kafkajs `sendBatch` calls, one at a
 *   time, with the sink's request size: the client's own ceiling on this machine;
 * - `sink`: the engine's event sink (format stage and kafka-sink) end to end, several
 *   deliveries in flight.
 *
 * `npx tsx packages/engine/bench/sink-bench.ts` (env: BENCH_RUNS, BENCH_SINK_MESSAGES,
 * BENCH_SINK_COMPRESSION=none|gzip). `bench/sections/sink.ts` runs it inside `npm run bench`.
 */
import type { InsertEvent, TableSchema } from '@tidewater/change-events';
import type { DataFormat } from '@tidewater/config';
import type { StackEndpoints } from '@tidewater/stack';
import kafkajs from 'kafkajs';
import { Producer as PlatformaticProducer } from '@platformatic/kafka';
import type { SinkCompression, SinkLimits } from '@tidewater/kafka-sink';
import {
  DEFAULT_SINK_LIMITS,
  createTopic,
  deleteTopics,
  openSinkProducer,
} from '@tidewater/kafka-sink';
import { MessageBuilder } from '../src/pipeline/message-builder';
import { openEventSink } from '../src/pipeline/sink';
import { testColumn } from '@tidewater/change-events/testing';

/** sysbench's `sbtest` shape; `c` is sized so one Canal JSON message is about 500 bytes. */
const sbtest: TableSchema = {
  database: 'bench',
  table: 'sbtest1',
  columns: [
    testColumn('id', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
    testColumn('k', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
    testColumn('c', 'char', 'char', 'char(120)', { charset: 'utf8mb4', nullable: false }),
    testColumn('pad', 'char', 'char', 'char(60)', { charset: 'utf8mb4', nullable: false }),
  ],
  primaryKey: ['id'],
  uniqueKeys: {},
};

const filler = (seed: number, length: number): string => {
  let out = '';
  while (out.length < length) out += `${(seed * 2654435761) % 1e11}-`;
  return out.slice(0, length);
};

function events(count: number): InsertEvent[] {
  const out: InsertEvent[] = [];
  for (let i = 1; i <= count; i++) {
    out.push({
      kind: 'insert',
      schema: sbtest,
      rows: [[String(i), String((i * 7919) % 1_000_000), filler(i, 119), filler(-i, 59)]],
      timestamp: 1714530030000 + i,
      position: { file: 'mysql-bin.000001', pos: 4 + i * 600, gtidSet: null },
      gtid: null,
      serverId: 1,
    });
  }
  return out;
}

const source = { version: '8.0.36', timeZone: 'UTC' };
const BATCH_EVENTS = 1_000;
const IN_FLIGHT = 8;

export interface SinkRun {
  messagesPerSecond: number;
  /** CPU time of this process per message (user + system), µs: the client's own cost. */
  cpuMicrosPerMessage: number;
  megabytesPerSecond: number;
  averageMessageBytes: number;
}

export interface SinkBenchOptions {
  format: DataFormat;
  messages: number;
  compression: SinkCompression;
  limits?: Partial<SinkLimits>;
}

function destinationOf(endpoints: StackEndpoints, topic: string) {
  return {
    hosts: endpoints.kafka.brokers.join(','),
    port: 9092,
    kafkaVersion: '3.9',
    encryption: 'none' as const,
    tls: { enabled: false, rejectUnauthorized: true },
    topic,
    schemaRegistry: { enabled: false as const },
  };
}

function run(messages: number, bytes: number, seconds: number, cpu: NodeJS.CpuUsage): SinkRun {
  return {
    messagesPerSecond: messages / seconds,
    cpuMicrosPerMessage: (cpu.user + cpu.system) / messages,
    // MB as ProducerPerformance reports it (2^20 bytes), key and value bytes.
    megabytesPerSecond: bytes / seconds / 1_048_576,
    averageMessageBytes: bytes / messages,
  };
}

/** Building the messages only. */
export function measureEncode(format: DataFormat, count: number): SinkRun {
  const input = events(count);
  const builder = new MessageBuilder({
    format,
    partitionPolicy: 'partition-zero',
    source,
    topic: 't',
    ddlTopic: 't',
    partitions: new Map([['t', 1]]),
    maxMessageBytes: new Map([['t', 1_048_588]]),
  });
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < input.length; i += BATCH_EVENTS) {
    for (const m of builder.build(input.slice(i, i + BATCH_EVENTS), Date.now())) {
      bytes += m.value.length + (m.key?.length ?? 0);
    }
  }
  return run(count, bytes, Number(process.hrtime.bigint() - started) / 1e9, process.cpuUsage(cpu));
}

/** The sink, end to end, with IN_FLIGHT deliveries of BATCH_EVENTS events outstanding. */
export async function measureSink(
  endpoints: StackEndpoints,
  options: SinkBenchOptions,
): Promise<SinkRun> {
  const topic = `bench-sink-${options.format}-${Date.now().toString(36)}`;
  const destination = destinationOf(endpoints, topic);
  await createTopic(destination, { topic, partitions: 1 });
  const input = events(options.messages);
  try {
    const sink = await openEventSink({
      destination,
      format: options.format,
      partitionPolicy: 'partition-zero',
      source,
      compression: options.compression,
      limits: options.limits ?? {},
    });
    let bytes = 0;
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    try {
      const pending: Array<Promise<unknown>> = [];
      for (let i = 0; i < input.length; i += BATCH_EVENTS) {
        pending.push(
          sink.deliver(input.slice(i, i + BATCH_EVENTS)).then((report) => (bytes += report.bytes)),
        );
        if (pending.length >= IN_FLIGHT) await pending[pending.length - IN_FLIGHT];
      }
      await Promise.all(pending);
    } finally {
      await sink.close();
    }
    return run(
      options.messages,
      bytes,
      Number(process.hrtime.bigint() - started) / 1e9,
      process.cpuUsage(cpu),
    );
  } finally {
    await deleteTopics(destination, [topic]);
  }
}

/**
 * What both bare-client measurements share: a one-partition topic, the messages the sink would
 * send (built once, outside the timing), and the sink's request size for them.
 */
async function bareClientRun(
  endpoints: StackEndpoints,
  options: SinkBenchOptions,
  label: string,
  /** Opens the client (outside the timing) and gives the timed send and the close. */
  open: (topic: string) => Promise<{
    send(messages: ReturnType<MessageBuilder['build']>, perRequest: number): Promise<void>;
    close(): Promise<void>;
  }>,
): Promise<SinkRun> {
  const topic = `bench-${label}-${options.format}-${Date.now().toString(36)}`;
  const destination = destinationOf(endpoints, topic);
  await createTopic(destination, { topic, partitions: 1 });
  try {
    const builder = new MessageBuilder({
      format: options.format,
      partitionPolicy: 'partition-zero',
      source,
      topic,
      ddlTopic: topic,
      partitions: new Map([[topic, 1]]),
      maxMessageBytes: new Map([[topic, 1_048_588]]),
    });
    const messages = builder.build(events(options.messages), Date.now());
    const bytes = messages.reduce((sum, m) => sum + m.value.length + (m.key?.length ?? 0), 0);
    // The sink's request: one partition's batch limit.
    const perRequest = Math.floor(
      (options.limits?.maxBatchBytes ?? DEFAULT_SINK_LIMITS.maxBatchBytes) /
        (bytes / messages.length + 40),
    );
    const client = await open(topic);
    try {
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      await client.send(messages, perRequest);
      return run(
        messages.length,
        bytes,
        Number(process.hrtime.bigint() - started) / 1e9,
        process.cpuUsage(cpu),
      );
    } finally {
      await client.close();
    }
  } finally {
    await deleteTopics(destination, [topic]);
  }
}

/** Bare kafkajs: pre-built messages, `sendBatch` one request at a time like the sink's queue. */
export function measureKafkajs(
  endpoints: StackEndpoints,
  options: SinkBenchOptions,
): Promise<SinkRun> {
  return bareClientRun(endpoints, options, 'kafkajs', async (topic) => {
    const kafka = new kafkajs.Kafka({
      brokers: endpoints.kafka.brokers,
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return {
      async send(messages, perRequest) {
        for (let i = 0; i < messages.length; i += perRequest) {
          await producer.sendBatch({
            acks: -1,
            compression: {
              none: kafkajs.CompressionTypes.None,
              gzip: kafkajs.CompressionTypes.GZIP,
              snappy: kafkajs.CompressionTypes.Snappy,
            }[options.compression],
            topicMessages: [{ topic, messages: messages.slice(i, i + perRequest) }],
          });
        }
      },
      close: () => producer.disconnect(),
    };
  });
}

/**
 * Bare @platformatic/kafka: the same pre-built messages, one idempotent `send` at a time (acks
 * all), with the sink's request size; beside `measureKafkajs` it compares the two clients.
 */
export function measurePlatformatic(
  endpoints: StackEndpoints,
  options: SinkBenchOptions,
): Promise<SinkRun> {
  return bareClientRun(endpoints, options, 'pkafka', async (topic) => {
    const producer = new PlatformaticProducer({
      clientId: 'bench',
      bootstrapBrokers: endpoints.kafka.brokers,
      idempotent: true,
      compression: options.compression,
    });
    return {
      async send(messages, perRequest) {
        for (let i = 0; i < messages.length; i += perRequest) {
          await producer.send({
            messages: messages.slice(i, i + perRequest).map((m) => ({
              topic,
              partition: m.partition,
              key: m.key === null ? undefined : Buffer.from(m.key),
              value: m.value,
            })),
          });
        }
      },
      close: () => producer.close(),
    };
  });
}

/**
 * The sink's producer (`openSinkProducer`: the library's client with the sink's own Produce
 * request writer) on the same pre-built messages, one `send` at a time with the sink's request
 * size; beside `measurePlatformatic` it isolates what the request writer saves.
 */
export function measureSinkProducer(
  endpoints: StackEndpoints,
  options: SinkBenchOptions,
): Promise<SinkRun> {
  return bareClientRun(endpoints, options, 'sinkproducer', async (topic) => {
    const producer = await openSinkProducer(destinationOf(endpoints, topic), {
      clientId: 'bench',
      compression: options.compression,
      retries: 5,
      initialRetryTimeMs: 300,
      maxRetryTimeMs: 10_000,
      ackTimeoutMs: 30_000,
    });
    return {
      async send(messages, perRequest) {
        for (let i = 0; i < messages.length; i += perRequest) {
          await producer.send(messages.slice(i, i + perRequest));
        }
      },
      close: () => producer.close(),
    };
  });
}

export const defaultMessages = Number(process.env.BENCH_SINK_MESSAGES ?? '300000');
export { DEFAULT_SINK_LIMITS };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const { stackEndpoints } = await import('@tidewater/stack');
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  const compression = (process.env.BENCH_SINK_COMPRESSION ?? 'none') as SinkCompression;
  const print = (label: string, samples: SinkRun[]) => {
    const m = median(samples.map((s) => s.messagesPerSecond));
    const mb = median(samples.map((s) => s.megabytesPerSecond));
    const size = samples[0]!.averageMessageBytes;
    console.log(
      `${label.padEnd(34)} ${Math.round(m).toLocaleString('en-US').padStart(10)} msg/s ${mb.toFixed(1).padStart(7)} MB/s  ` +
        `(${size.toFixed(0)} B/msg; runs: ${samples.map((s) => Math.round(s.messagesPerSecond)).join(', ')})`,
    );
  };
  for (const format of ['canal-json', 'dts-avro'] as const) {
    const options = { format, messages: defaultMessages, compression };
    const encode: SinkRun[] = [];
    const client: SinkRun[] = [];
    const sink: SinkRun[] = [];
    for (let i = 0; i < runs; i++) encode.push(measureEncode(format, defaultMessages));
    for (let i = 0; i < runs; i++) client.push(await measureKafkajs(stackEndpoints, options));
    for (let i = 0; i < runs; i++) sink.push(await measureSink(stackEndpoints, options));
    print(`${format} encode only`, encode);
    print(`${format} bare kafkajs (${compression})`, client);
    print(`${format} sink deliver (${compression})`, sink);
  }
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))
) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
