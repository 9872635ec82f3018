/**
 * Which table a message on the destination topic is about, read the way this product writes
 * them, for the "conflicting tables" precheck: a message key written by Tidewater (`db.table`
 * or `db.table:<key values>`), Canal JSON `database`/`table`, or DTS Avro `objectName`
 * (`db.table`, DTS escaping) with or without the schema registry's 5-byte frame. Messages in
 * neither format name nothing. A table whose messages all lie before the sample is not found
 * (the precheck is a guard against mistakes, not a proof).
 */
import type { DataFormat, DestinationConfig } from '@tidewater/config';
import { decodeDtsAvro } from '@tidewater/formats';
import { scanTopic, type TopicScanOptions } from '@tidewater/kafka-sink';
import { tableKey } from './partition-policy';

export interface TableName {
  database: string;
  table: string;
}

/** The `db.table` a message value names, or null when it is in neither format. */
export function tableNamedBy(format: DataFormat, value: Buffer | null): string | null {
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

/** The tables of `tables` (destination names) that the topic's latest messages are about. */
export async function scanTopicForTables(
  destination: DestinationConfig,
  options: Pick<TopicScanOptions, 'topic' | 'messagesPerPartition' | 'timeoutMs'> & {
    format: DataFormat;
    tables: readonly TableName[];
  },
): Promise<{ found: TableName[]; scannedMessages: number; isComplete: boolean }> {
  const byKey = new Map<string, TableName>();
  for (const table of options.tables) {
    const key = tableKey(table.database, table.table);
    if (key !== null) byKey.set(key, table);
  }
  const result = await scanTopic(destination, {
    topic: options.topic,
    names: [...byKey.keys()],
    nameOf: (message) => {
      const fromKey = tableOfKey(message.key);
      return fromKey !== null && byKey.has(fromKey)
        ? fromKey
        : tableNamedBy(options.format, message.value);
    },
    ...(options.messagesPerPartition === undefined
      ? {}
      : { messagesPerPartition: options.messagesPerPartition }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return {
    found: result.found.map((key) => byKey.get(key)!),
    scannedMessages: result.scannedMessages,
    isComplete: result.isComplete,
  };
}
