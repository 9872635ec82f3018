/**
 * The sink's producer: @platformatic/kafka's idempotent producer (acks=all), driven one request
 * at a time by the ordered send queue, with the sink's own Produce request writer
 * (`produce-request.ts`: one Buffer per record batch, not the library's many small ones).
 * Measured against kafkajs 2.2.4 on Node 24 with the same messages, the library spends about
 * half the client CPU per message, and the request writer takes another share off along with
 * most of the short-lived external memory (README, "The producer client").
 *
 * What the sink relies on, and where the library provides it:
 * - idempotence: the producer id and per-partition sequence numbers are the library's
 *   (`idempotent: true` also forces acks=all and one request in flight per connection);
 * - order: the queue never calls `send` before the previous one settled, so a retried request
 *   cannot be overtaken, whatever the library does inside one `send`;
 * - bounded retries: `retries` and a capped exponential backoff, so a `deliver` settles;
 * - errors: what it throws is translated by `kafka-errors.ts` (protocol error ids are Kafka's).
 */
import type { API, Callback, CompressionAlgorithmValue } from '@platformatic/kafka';
import { kGetApi, Producer } from '@platformatic/kafka';
import type { KafkaConnection, KafkaLog } from './connection';
import { producerConnectionOptions } from './connection';
import { sinkProduceApi } from './produce-request';
import type { QueuedMessage } from './send-queue';

/** The library's producer with the sink's own Produce request writer (`produce-request.ts`). */
class SinkKafkaProducer extends Producer<Buffer, Buffer, Buffer, Buffer> {
  override [kGetApi]<A extends unknown[], R>(name: string, callback: Callback<API<A, R>>): void {
    if (name !== 'Produce') {
      super[kGetApi](name, callback);
      return;
    }
    super[kGetApi]<A, R>(name, (error, api) => {
      if (error !== null || api === undefined) callback(error);
      else callback(null, sinkProduceApi(api));
    });
  }
}

/**
 * Codecs the sink writes. The producer could also write lz4 and zstd, but the package's own
 * readers (the conflicting-tables scan, on kafkajs) decode only gzip and snappy, so those two
 * stay the offer until the scan moves too.
 */
export const SINK_COMPRESSIONS = ['none', 'gzip', 'snappy'] as const;
export type SinkCompression = (typeof SINK_COMPRESSIONS)[number];

export interface SinkProducerOptions {
  clientId: string;
  compression: SinkCompression;
  /** Retries of one request before `send` rejects (at least 2, see below). */
  retries: number;
  /** First wait between retries; doubled each time up to `maxRetryTimeMs`. */
  initialRetryTimeMs: number;
  maxRetryTimeMs: number;
  /** How long the broker may take to replicate a batch before it answers (acks=all). */
  ackTimeoutMs: number;
  log?: KafkaLog;
}

export interface SinkProducer {
  /** Resolves when Kafka acknowledged every message (acks=all); messages keep their order. */
  send(messages: readonly QueuedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Exponential backoff with a cap and ±20 % jitter, like kafkajs's retrier. */
export function retryDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Connects and obtains the producer id (InitProducerId), so a refused login, a missing
 * IdempotentWrite permission or an unreachable broker is reported by `openSinkProducer`, not by
 * the first `deliver`.
 */
export async function openSinkProducer(
  connection: KafkaConnection,
  options: SinkProducerOptions,
): Promise<SinkProducer> {
  const producer = new SinkKafkaProducer({
    ...producerConnectionOptions(connection),
    clientId: options.clientId,
    idempotent: true,
    acks: -1,
    compression: options.compression satisfies CompressionAlgorithmValue,
    autocreateTopics: false,
    // @platformatic/kafka turns an idempotent producer's `retries` of 0 or 1 into "forever";
    // two is the fewest that stays bounded.
    retries: Math.max(2, options.retries),
    retryDelay: (_client, _operation, attempt) =>
      retryDelayMs(attempt, options.initialRetryTimeMs, options.maxRetryTimeMs),
    timeout: options.ackTimeoutMs,
    requestTimeout: options.ackTimeoutMs + 5_000,
  });
  const { log } = options;
  if (log !== undefined) {
    producer.on(
      'client:performWithRetry:retry',
      (operation: string, attempt: number, retries: number, delay: number) =>
        log(
          'warn',
          `Kafka ${operation} failed; retry ${attempt + 1} of ${retries} in ${Math.round(delay)} ms`,
        ),
    );
  }
  try {
    await producer.initIdempotentProducer({});
  } catch (error) {
    await producer.close(true);
    throw error;
  }
  // Runs of one key are common (a table's name under the table policies, a DDL key): the
  // bytes of the previous key are reused; the producer copies them into the record batch.
  let lastKey: string | null = null;
  let lastKeyBytes: Buffer | undefined;
  const keyBytes = (key: string | null): Buffer | undefined => {
    if (key === null) return undefined;
    if (key !== lastKey) {
      lastKey = key;
      lastKeyBytes = Buffer.from(key);
    }
    return lastKeyBytes;
  };
  return {
    async send(messages) {
      const records = new Array<{
        topic: string;
        partition: number;
        key: Buffer | undefined;
        value: Buffer;
      }>(messages.length);
      for (let i = 0; i < messages.length; i += 1) {
        const message = messages[i]!;
        records[i] = {
          topic: message.topic,
          partition: message.partition,
          key: keyBytes(message.key),
          value: message.value,
        };
      }
      await producer.send({ messages: records });
    },
    async close() {
      await producer.close(true);
    },
  };
}
