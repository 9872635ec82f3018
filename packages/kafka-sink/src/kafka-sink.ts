/**
 * The sink: ready messages (topic, partition, key, value) in, Kafka acknowledgements out.
 * `openKafkaSink` checks the topics (kafkajs admin) and connects the idempotent producer
 * (`producer.ts`); `deliver` resolves only once Kafka acknowledged (acks=all) every message it
 * was given, and deliveries settle in call order (see `send-queue.ts`), so a caller checkpoints
 * exactly what is durable. It knows nothing of the source, the formats or the task's names: the
 * engine builds the messages.
 */
import type { DestinationConfig } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import type { TopicLayout } from './admin';
import { describeTopics } from './admin';
import type { KafkaLog } from './connection';
import { createKafka, errorContext } from './connection';
import { isMessageTooLarge, kafkaMessageTooLarge, translateKafkaError } from './kafka-errors';
import type { SinkCompression } from './producer';
import { openSinkProducer } from './producer';
import { BATCH_OVERHEAD_BYTES, OrderedSendQueue, RECORD_OVERHEAD_BYTES } from './send-queue';

export { SINK_COMPRESSIONS, type SinkCompression } from './producer';

export interface SinkLimits {
  /** Bytes of one produce request across partitions (the producer's own limit). */
  maxRequestBytes: number;
  /**
   * Bytes per partition in one request (always also under the topic's `max.message.bytes`):
   * the producer writes one record batch per partition per request, and the broker refuses a
   * batch over the topic limit as a whole. Chosen by measurement (README).
   */
  maxBatchBytes: number;
  /** Unacknowledged bytes before `deliver` waits for room. */
  maxPendingBytes: number;
  /** Retries of one request before `deliver` rejects; with the backoff, ~2.5 min. */
  retries: number;
  /** Longest wait between two retries. */
  maxRetryTimeMs: number;
  /** How long the broker may take to replicate a batch before it answers (acks=all). */
  ackTimeoutMs: number;
}

export const DEFAULT_SINK_LIMITS: SinkLimits = {
  maxRequestBytes: 8 * 1024 * 1024,
  maxBatchBytes: 256 * 1024,
  maxPendingBytes: 64 * 1024 * 1024,
  retries: 20,
  maxRetryTimeMs: 10_000,
  ackTimeoutMs: 30_000,
};

export interface KafkaSinkOptions {
  /** The Kafka to write to and its topics (`topic`, and `ddlTopic` when set). */
  destination: DestinationConfig;
  limits?: Partial<SinkLimits>;
  compression?: SinkCompression;
  clientId?: string;
  /** Where the clients' warnings go (broker reconnects, retries); silent when absent. */
  log?: KafkaLog;
}

/** A message ready to send: where it goes, its key and value. */
export interface OutgoingMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer;
  /** Bytes in a record batch (`recordBytes`), computed once by whoever built the message. */
  size: number;
  /** What the message is about (`db.table`, an event kind), for error messages. */
  table: string;
}

export interface DeliveryReport {
  messages: number;
  /** Key and value bytes of the messages (what the consumer receives, before compression). */
  bytes: number;
  /** Partitions written, per topic, ascending. */
  partitions: Record<string, number[]>;
}

export interface KafkaSink {
  readonly topics: readonly TopicLayout[];
  /**
   * The most bytes a record batch holding one message may take on `topic`: the topic's
   * `max.message.bytes`, at most the producer's request limit.
   */
  maxMessageBytes(topic: string): number;
  /** Resolves after Kafka acknowledged every message given and those of every earlier call. */
  deliver(messages: readonly OutgoingMessage[]): Promise<DeliveryReport>;
  /**
   * Waits for pending deliveries (bounded by the retry budget), then disconnects. With
   * `discardPending` (lease lost, shutdown) it does not wait: pending deliveries reject with
   * `SINK_CLOSED` (some of their messages may have reached Kafka; the caller's checkpoint
   * did not move past them, so they are sent again after a resume).
   */
  close(options?: { discardPending?: boolean }): Promise<void>;
}

function sinkClosed(): TidewaterError {
  return new TidewaterError(
    'SINK_CLOSED',
    'The Kafka sink was closed; nothing more is delivered.',
    {
      category: 'conflict',
      remedy: 'Open a new sink and resume from the last checkpoint.',
    },
  );
}

function reportOf(messages: readonly OutgoingMessage[]): DeliveryReport {
  let bytes = 0;
  const partitions = new Map<string, Set<number>>();
  let lastTopic = '';
  let lastPartition = -1;
  let set: Set<number> | undefined;
  for (const message of messages) {
    bytes += message.size - RECORD_OVERHEAD_BYTES;
    // Runs of one partition are the common case (partition 0, one table): skip the lookups.
    if (message.partition === lastPartition && message.topic === lastTopic) continue;
    lastTopic = message.topic;
    lastPartition = message.partition;
    set = partitions.get(message.topic);
    if (set === undefined) {
      set = new Set();
      partitions.set(message.topic, set);
    }
    set.add(message.partition);
  }
  const byTopic: Record<string, number[]> = {};
  for (const [topic, used] of partitions) byTopic[topic] = [...used].sort((a, b) => a - b);
  return { messages: messages.length, bytes, partitions: byTopic };
}

export async function openKafkaSink(options: KafkaSinkOptions): Promise<KafkaSink> {
  const { destination } = options;
  const limits: SinkLimits = { ...DEFAULT_SINK_LIMITS, ...options.limits };
  const topic = destination.topic;
  const ddlTopic = destination.ddlTopic ?? topic;
  const topicNames = [...new Set([topic, ddlTopic])];
  const clientId = options.clientId ?? 'tidewater-sink';
  const kafka = createKafka(destination, {
    clientId,
    ...(options.log === undefined ? {} : { log: options.log }),
  });

  // Topics first: a missing topic or a wrong password is reported before anything else.
  const admin = kafka.admin({ retry: { retries: 2, maxRetryTime: 2_000 } });
  let layouts: TopicLayout[];
  try {
    await admin.connect();
    layouts = await describeTopics(admin, topicNames, errorContext(destination));
  } catch (error) {
    throw translateKafkaError(error, errorContext(destination, topic), 'describe the topics');
  } finally {
    await admin.disconnect();
  }
  const layoutOf = new Map(layouts.map((layout) => [layout.topic, layout]));

  let producer;
  try {
    producer = await openSinkProducer(destination, {
      clientId,
      compression: options.compression ?? 'none',
      retries: limits.retries,
      initialRetryTimeMs: 300,
      maxRetryTimeMs: limits.maxRetryTimeMs,
      ackTimeoutMs: limits.ackTimeoutMs,
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  } catch (error) {
    throw translateKafkaError(error, errorContext(destination, topic), 'connect the producer');
  }

  const maxMessageBytes = (name: string): number =>
    Math.min(layoutOf.get(name)?.maxMessageBytes ?? 1_048_588, limits.maxRequestBytes);

  const queue = new OrderedSendQueue<OutgoingMessage>(
    (messages) => producer.send(messages),
    {
      maxBatchBytes: (name) =>
        Math.min(limits.maxBatchBytes, maxMessageBytes(name) - BATCH_OVERHEAD_BYTES),
      maxRequestBytes: limits.maxRequestBytes,
      maxPendingBytes: limits.maxPendingBytes,
    },
    (error, batch) => {
      if (isMessageTooLarge(error)) {
        // The broker refused a batch: name its largest message, the likeliest culprit.
        const largest = batch.reduce((a, b) => (b.size > a.size ? b : a));
        return kafkaMessageTooLarge({
          topic: largest.topic,
          table: largest.table,
          key: largest.key,
          bytes: largest.size,
          limit: maxMessageBytes(largest.topic),
          cause: error,
        });
      }
      return translateKafkaError(error, errorContext(destination, topic), 'produce');
    },
  );

  let closed = false;
  /** Set when a delivery was refused before sending; later deliveries must not pass it. */
  let stopped: unknown = null;

  const deliver = async (messages: readonly OutgoingMessage[]): Promise<DeliveryReport> => {
    if (closed) throw sinkClosed();
    if (stopped !== null) throw stopped;
    if (queue.failedWith !== null) throw queue.failedWith;
    for (const message of messages) {
      const bytes = message.size + BATCH_OVERHEAD_BYTES;
      const limit = maxMessageBytes(message.topic);
      if (bytes > limit) {
        stopped = kafkaMessageTooLarge({
          topic: message.topic,
          table: message.table,
          key: message.key,
          bytes,
          limit,
        });
        throw stopped;
      }
    }
    await queue.push(messages);
    return reportOf(messages);
  };

  const close = async (closeOptions: { discardPending?: boolean } = {}): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      if (closeOptions.discardPending !== true) await queue.drained();
    } finally {
      queue.fail(sinkClosed());
      await producer.close();
    }
  };

  return { topics: layouts, maxMessageBytes, deliver, close };
}
