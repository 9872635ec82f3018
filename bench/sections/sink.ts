import {
  defaultMessages,
  measureEncode,
  measureKafkajs,
  measurePlatformatic,
  measureSink,
  measureSinkProducer,
  type SinkRun,
} from '@tidewater/engine/bench/sink';
import { summarize } from '../figures';
import type { Figure } from '../figures';
import { defineSection } from '../section';

/**
 * The Kafka sink: `deliver` end to end (encode, key and partition, the ordered send queue,
 * @platformatic/kafka's producer, acks=all, idempotent) for ~500-byte Canal JSON messages and
 * the same rows as DTS Avro, on a fresh one-partition topic like the floors section's
 * ProducerPerformance run, so the ratio to that run is our share of the broker's ceiling.
 * Encoding alone and the two bare clients (the producer the sink uses, and kafkajs, which it
 * used before) on the same pre-built messages show where the time goes.
 */

const FLOOR_RECORDS = 'floors/Kafka producer, 500 B records, acks=all';
const FLOOR_BYTES = 'floors/Kafka producer, 500 B records, acks=all (bytes)';

const CPU_NOTE = 'user + system CPU of the producing process, all threads';

/** A client's throughput (against the producer floor) and its CPU per message. */
function clientFigures(
  section: string,
  rateName: string,
  cpuName: string,
  runs: readonly SinkRun[],
  note: string,
): Figure[] {
  return [
    summarize(
      section,
      rateName,
      'messages/s',
      runs.map((r) => r.messagesPerSecond),
      { ratioTo: FLOOR_RECORDS, note },
    ),
    summarize(
      section,
      cpuName,
      'µs',
      runs.map((r) => r.cpuMicrosPerMessage),
      { note: CPU_NOTE },
    ),
  ];
}

export default defineSection({
  title: 'Kafka sink: produced messages',
  description:
    '`deliver` of single-row INSERT events (sysbench rows; ~520 B Canal JSON, ~360 B DTS Avro) to a ' +
    'fresh 1-partition topic, acks=all, idempotent producer, no compression, 8 deliveries of 1,000 ' +
    'events in flight. Encode-only and bare-client rows (@platformatic/kafka as is, the sink producer: ' +
    "the same client with the sink's own Produce request writer, and kafkajs 2.2.4) split the cost.",
  services: ['kafka'],
  async run({ section, endpoints, runs, log }): Promise<Figure[]> {
    const figures: Figure[] = [];
    const note = `${defaultMessages.toLocaleString('en-US')} messages per run (BENCH_SINK_MESSAGES)`;
    for (const [format, label] of [
      ['canal-json', 'Canal JSON'],
      ['dts-avro', 'DTS Avro'],
    ] as const) {
      const options = { format, messages: defaultMessages, compression: 'none' as const };
      const sink: SinkRun[] = [];
      const client: SinkRun[] = [];
      const platformatic: SinkRun[] = [];
      const producer: SinkRun[] = [];
      const encode: SinkRun[] = [];
      // One short unmeasured pass, so the first measured run does not pay for the JIT warm-up.
      await measureSink(endpoints, { ...options, messages: 20_000 });
      for (let run = 1; run <= runs; run += 1) {
        sink.push(await measureSink(endpoints, options));
        platformatic.push(await measurePlatformatic(endpoints, options));
        producer.push(await measureSinkProducer(endpoints, options));
        client.push(await measureKafkajs(endpoints, options));
        encode.push(measureEncode(format, defaultMessages));
        log(
          `${label} run ${run}/${runs}: sink ${Math.round(sink.at(-1)!.messagesPerSecond)} msg/s, ` +
            `@platformatic/kafka ${Math.round(platformatic.at(-1)!.messagesPerSecond)} msg/s, ` +
            `sink producer ${Math.round(producer.at(-1)!.messagesPerSecond)} msg/s, ` +
            `kafkajs ${Math.round(client.at(-1)!.messagesPerSecond)} msg/s, ` +
            `encode ${Math.round(encode.at(-1)!.messagesPerSecond)} msg/s`,
        );
      }
      const size = Math.round(sink[0]!.averageMessageBytes);
      figures.push(
        summarize(
          section,
          `${label} sink deliver`,
          'messages/s',
          sink.map((s) => s.messagesPerSecond),
          { ratioTo: FLOOR_RECORDS, note: `${note}, ${size} B per message (key and value)` },
        ),
        summarize(
          section,
          `${label} sink deliver (bytes)`,
          'MB/s',
          sink.map((s) => s.megabytesPerSecond),
          { ratioTo: FLOOR_BYTES, note: 'key and value bytes, 2^20 bytes per MB' },
        ),
        summarize(
          section,
          `${label} sink CPU per message`,
          'µs',
          sink.map((s) => s.cpuMicrosPerMessage),
          { note: CPU_NOTE },
        ),
        ...clientFigures(
          section,
          `${label} bare @platformatic/kafka send`,
          `${label} bare @platformatic/kafka CPU per message`,
          platformatic,
          'the same pre-built messages, one idempotent send at a time with the sink batch size',
        ),
        ...clientFigures(
          section,
          `${label} sink producer send`,
          `${label} sink producer CPU per message`,
          producer,
          "the same pre-built messages through the sink producer: @platformatic/kafka with the sink's own Produce request writer",
        ),
        ...clientFigures(
          section,
          `${label} bare kafkajs sendBatch`,
          `${label} bare kafkajs CPU per message`,
          client,
          'kafkajs 2.2.4 on the same pre-built messages, one sendBatch at a time with the sink batch size',
        ),
        summarize(
          section,
          `${label} encode only`,
          'messages/s',
          encode.map((s) => s.messagesPerSecond),
          { note: 'mapping, format, key and partition; no I/O' },
        ),
      );
    }
    return figures;
  },
});
