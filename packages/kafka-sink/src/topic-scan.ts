/**
 * A bounded sample of a topic's latest messages, for the "conflicting tables" precheck: which
 * of the wanted names do they carry? A topic can hold billions of messages, so the answer comes
 * from the latest `messagesPerPartition` messages of every partition (default 500), read with a
 * throwaway consumer group, within `timeoutMs` (default 15 s). What a message names is the
 * caller's to say (`nameOf`: the engine reads its formats and keys); the result says how much
 * was read, so the precheck can say "none in the latest N messages" instead of claiming the
 * whole topic is clean.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaConnection } from './connection';
import { createKafka, errorContext } from './connection';
import { translateKafkaError } from './kafka-errors';

export interface TopicScanOptions {
  topic: string;
  /** The names looked for. */
  names: readonly string[];
  /** The name a message carries (by its key or its value), or null. */
  nameOf(message: { key: Buffer | null; value: Buffer | null }): string | null;
  messagesPerPartition?: number;
  timeoutMs?: number;
}

export interface TopicScanResult {
  /** The names of `names` that some sampled message carries. */
  found: string[];
  scannedMessages: number;
  /** Partitions that hold any message. */
  partitionsWithMessages: number;
  /** False when the timeout ended the scan before every partition's sample was read. */
  isComplete: boolean;
}

interface PartitionRange {
  partition: number;
  start: bigint;
  /** The offset after the last message (the high watermark). */
  end: bigint;
}

export async function scanTopic(
  connection: KafkaConnection,
  options: TopicScanOptions,
): Promise<TopicScanResult> {
  const perPartition = BigInt(options.messagesPerPartition ?? 500);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const wanted = new Set(options.names);
  const found = new Set<string>();
  const context = errorContext(connection, options.topic);
  const kafka = createKafka(connection, { clientId: 'tidewater-precheck' });

  const admin = kafka.admin();
  let ranges: PartitionRange[];
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(options.topic);
    ranges = offsets
      .map((o) => {
        const low = BigInt(o.low);
        const end = BigInt(o.high);
        const start = end - perPartition > low ? end - perPartition : low;
        return { partition: o.partition, start, end };
      })
      .filter((range) => range.end > range.start);
  } catch (error) {
    await admin.disconnect();
    throw translateKafkaError(error, context, 'read the topic offsets');
  }
  if (ranges.length === 0 || wanted.size === 0) {
    await admin.disconnect();
    return {
      found: [],
      scannedMessages: 0,
      partitionsWithMessages: ranges.length,
      isComplete: true,
    };
  }

  const groupId = `tidewater-precheck-${randomBytes(8).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const remaining = new Map(ranges.map((range) => [range.partition, range]));
  let scanned = 0;
  let isComplete = false;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      // The way out: the timeout ends the scan with what was read so far.
      const timer = setTimeout(resolve, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        isComplete = true;
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = remaining.get(batch.partition);
            if (range === undefined) return;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset < range.start) continue;
              if (offset >= range.end) break;
              scanned += 1;
              const name = options.nameOf(message);
              if (name !== null && wanted.has(name)) found.add(name);
              if (offset >= range.end - 1n) {
                remaining.delete(batch.partition);
                break;
              }
            }
            if (remaining.size === 0 || found.size === wanted.size) finish();
          },
        })
        .then(() => {
          for (const range of ranges) {
            consumer.seek({
              topic: options.topic,
              partition: range.partition,
              offset: String(range.start),
            });
          }
        })
        .catch(reject);
    });
  } catch (error) {
    throw translateKafkaError(error, context, 'read the topic');
  } finally {
    await consumer.disconnect();
    // The group committed nothing; remove it so precheck runs leave no trace on the cluster.
    await admin.deleteGroups([groupId]).catch((error: unknown) => {
      const type = (error as { groups?: Array<{ error?: { type?: string } }> }).groups?.[0]?.error
        ?.type;
      if (type !== 'GROUP_ID_NOT_FOUND')
        throw translateKafkaError(error, context, 'delete the precheck group');
    });
    await admin.disconnect();
  }
  return {
    found: [...found],
    scannedMessages: scanned,
    partitionsWithMessages: ranges.length,
    isComplete: isComplete || found.size === wanted.size,
  };
}
