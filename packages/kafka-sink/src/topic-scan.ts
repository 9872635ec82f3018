/**
 * The "conflicting tables" precheck for a Kafka destination: does the topic already hold
 * messages for a table (same database and table after renaming)?
 *
 * A topic can hold billions of messages, so the answer comes from a bounded sample: the latest
 * `messagesPerPartition` messages of every partition (default 500), read with a throwaway
 * consumer group, within `timeoutMs` (default 15 s). A table is found when a sampled message
 * names it: Canal JSON `database`/`table`; DTS Avro `objectName` (`db.table`, DTS escaping),
 * with or without the schema registry's 5-byte frame; or a message key written by Tidewater
 * (`db.table` or `db.table:<key values>`). Messages in neither format are skipped. The result
 * says how much was read, so the precheck can say "none in the latest N messages" instead of
 * claiming the whole topic is clean; a table whose messages all lie before the sample is not
 * found (the precheck is a guard against mistakes, not a proof).
 */
import { randomBytes } from 'node:crypto';
import type { DataFormat } from '@tidewater/config';
import { decodeDtsAvro } from '@tidewater/formats';
import type { KafkaMessage } from 'kafkajs';
import type { KafkaConnection } from './connection';
import { createKafka, errorContext } from './connection';
import { translateKafkaError } from './kafka-errors';
import { tableKey } from './partition-policy';

export interface TableName {
  database: string;
  table: string;
}

export interface TopicScanOptions {
  topic: string;
  format: DataFormat;
  /** Destination names (after mapping and capitalization). */
  tables: readonly TableName[];
  messagesPerPartition?: number;
  timeoutMs?: number;
}

export interface TopicScanResult {
  /** The tables of `tables` that some sampled message names. */
  found: TableName[];
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

/** The `db.table` a message names, or null when it is in neither format. */
export function tableNamedBy(format: DataFormat, message: KafkaMessage): string | null {
  const value = message.value;
  if (value === null || value.length === 0) return null;
  if (format === 'canal-json') {
    try {
      const body = JSON.parse(value.toString('utf8')) as { database?: unknown; table?: unknown };
      if (typeof body.database !== 'string' || typeof body.table !== 'string') return null;
      return tableKey(body.database, body.table);
    } catch {
      // Not JSON: some other producer's message on the topic; it names no table of ours.
      return null;
    }
  }
  const bodies = value[0] === 0 && value.length > 5 ? [value, value.subarray(5)] : [value];
  for (const body of bodies) {
    try {
      const record = decodeDtsAvro(body);
      // DDL records name only the database; row records name `db.table`.
      if (record.operation !== 'DDL' && typeof record.objectName === 'string') {
        return record.objectName;
      }
      return null;
    } catch {
      // Not this framing (or not DTS Avro at all): try the next reading, then give up.
      continue;
    }
  }
  return null;
}

function tableOfKey(key: Buffer | null): string | null {
  if (key === null || key.length === 0) return null;
  const text = key.toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? text : text.slice(0, colon);
}

export async function scanTopicForTables(
  connection: KafkaConnection,
  options: TopicScanOptions,
): Promise<TopicScanResult> {
  const perPartition = BigInt(options.messagesPerPartition ?? 500);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const wanted = new Map<string, TableName>();
  for (const name of options.tables) {
    const key = tableKey(name.database, name.table);
    if (key !== null) wanted.set(key, name);
  }
  const found = new Map<string, TableName>();
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
              const fromKey = tableOfKey(message.key);
              const name =
                fromKey !== null && wanted.has(fromKey)
                  ? fromKey
                  : tableNamedBy(options.format, message);
              if (name !== null && wanted.has(name)) found.set(name, wanted.get(name)!);
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
    found: [...found.values()],
    scannedMessages: scanned,
    partitionsWithMessages: ranges.length,
    isComplete: isComplete || found.size === wanted.size,
  };
}

/** Whether the latest messages of `topic` hold any for `database.table` (see the module comment). */
export async function topicHasMessagesFor(
  connection: KafkaConnection,
  topic: string,
  table: TableName,
  format: DataFormat,
  options: Pick<TopicScanOptions, 'messagesPerPartition' | 'timeoutMs'> = {},
): Promise<boolean> {
  const result = await scanTopicForTables(connection, {
    ...options,
    topic,
    format,
    tables: [table],
  });
  return result.found.length > 0;
}
