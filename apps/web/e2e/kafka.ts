import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { decodeDtsAvro } from '@tidewater/formats';

/**
 * Kafka for the browser tests: private topics, and a consumer that reads a topic to its end
 * and folds the messages back into rows per table, in either format, so a test can compare
 * them with the source.
 */

export const BROKERS = (process.env.TIDEWATER_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

function kafka(): Kafka {
  return new Kafka({ clientId: 'tw-e2e', brokers: BROKERS, logLevel: logLevel.NOTHING });
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createTopic(topic: string, partitions = 2): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export type Row = Record<string, string | null>;

export interface FoldedTopic {
  /** `database.table` → rows by key (the `id` column, or the whole row for keyless tables). */
  tables: Map<string, Map<string, Row>>;
  /** `database.table` → rows inserted (snapshot rows and INSERTs), duplicates included. */
  inserted: Map<string, number>;
  messages: number;
  ddl: string[];
}

/** Reads the topic from the beginning to its current end and applies every row change. */
export async function foldTopic(
  topic: string,
  format: 'canal-json' | 'dts-avro',
): Promise<FoldedTopic> {
  const client = kafka();
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(offsets.map((offset) => [offset.partition, Number(offset.high)]));
  const folded: FoldedTopic = { tables: new Map(), inserted: new Map(), messages: 0, ddl: [] };
  const consumer = client.consumer({ groupId: uniqueTopic('tw-e2e-fold') });
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const check = () => {
    if ([...remaining.values()].every((left) => left <= 0)) finish();
  };
  check();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      folded.messages += 1;
      const high = offsets.find((offset) => offset.partition === partition)?.high ?? '0';
      remaining.set(partition, Number(high) - Number(message.offset) - 1);
      applyMessage(folded, format, message.value ?? Buffer.alloc(0));
      check();
    },
  });
  const timer = setTimeout(finish, 30_000);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  return folded;
}

function tableRows(folded: FoldedTopic, name: string): Map<string, Row> {
  let rows = folded.tables.get(name);
  if (!rows) {
    rows = new Map();
    folded.tables.set(name, rows);
  }
  return rows;
}

function rowKey(row: Row): string {
  return row.id !== undefined ? String(row.id) : JSON.stringify(row);
}

function applyRow(folded: FoldedTopic, table: string, type: string, row: Row): void {
  const rows = tableRows(folded, table);
  if (type === 'INSERT') folded.inserted.set(table, (folded.inserted.get(table) ?? 0) + 1);
  if (type === 'DELETE') rows.delete(rowKey(row));
  else rows.set(rowKey(row), row);
}

function applyMessage(folded: FoldedTopic, format: 'canal-json' | 'dts-avro', value: Buffer): void {
  if (format === 'canal-json') {
    const message = JSON.parse(value.toString('utf8')) as {
      database: string;
      table: string;
      type: string;
      isDdl: boolean;
      sql: string;
      data: Row[] | null;
    };
    if (message.isDdl) {
      folded.ddl.push(message.sql);
      return;
    }
    for (const row of message.data ?? [])
      applyRow(folded, `${message.database}.${message.table}`, message.type, row);
    return;
  }
  const record = decodeDtsAvro(value);
  if (record.operation === 'DDL') {
    folded.ddl.push(String(record.afterImages));
    return;
  }
  // Full migration writes its rows as INIT records (DTS's snapshot operation); they insert.
  const operation = record.operation === 'INIT' ? 'INSERT' : String(record.operation);
  if (!['INSERT', 'UPDATE', 'DELETE'].includes(operation)) return;
  const fields = (record.fields as Array<{ name: string }> | null) ?? [];
  const image = (record.operation === 'DELETE' ? record.beforeImages : record.afterImages) as
    unknown[] | null;
  if (!Array.isArray(image)) return;
  const row: Row = {};
  fields.forEach((field, index) => {
    row[field.name] = dtsValueText(image[index]);
  });
  const objectName = String(record.objectName).replaceAll('\\u002E', '\u0000');
  const [database = '', table = ''] = objectName
    .split('.')
    .map((part) => part.replaceAll('\u0000', '.'));
  applyRow(folded, `${database}.${table}`, operation, row);
}

/** A DTS Avro value as text: numbers and characters by their value; other types as JSON. */
function dtsValueText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  let object = value as Record<string, unknown>;
  // Union branches decode as { "<full type name>": value }.
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0]!.startsWith('com.alibaba.dts.formats.avro.')) {
    object = object[keys[0]!] as Record<string, unknown>;
  }
  if ('charset' in object && Buffer.isBuffer(object.value)) return object.value.toString('utf8');
  if ('value' in object && typeof object.value === 'string') return object.value;
  return JSON.stringify(object);
}

/** Writes messages to a topic, as another producer sharing it would. */
export async function produce(topic: string, values: string[]): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}
