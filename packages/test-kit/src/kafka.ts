import { decodeDtsAvro } from '@tidewater/formats';
import { Kafka, logLevel } from 'kafkajs';
import { uniqueName, uniqueTopic } from './names';

/**
 * Kafka for tests: private topics on the test broker, and a consumer that reads a topic to its
 * end and folds its messages back into rows, in either format, the way a downstream consumer
 * would, so a test can compare what arrived with the source.
 */

/** The test broker (the stack's PLAINTEXT listener unless `TIDEWATER_KAFKA_BROKERS` says otherwise). */
export const BROKERS = (process.env.TIDEWATER_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

function kafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'tw-test', brokers, logLevel: logLevel.NOTHING });
}

async function withAdmin<T>(
  brokers: string[],
  use: (admin: ReturnType<Kafka['admin']>) => Promise<T>,
): Promise<T> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates `topic` (or a unique topic named from `prefix` when none is given), with topic
 * `config` entries such as `max.message.bytes`, and returns its name.
 */
export async function createTopic(
  options: {
    topic?: string;
    prefix?: string;
    partitions?: number;
    config?: Record<string, string>;
    brokers?: string[];
  } = {},
): Promise<string> {
  const topic = options.topic ?? uniqueTopic(options.prefix ?? 'tw-test');
  await withAdmin(options.brokers ?? BROKERS, (admin) =>
    admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: options.partitions ?? 1,
          replicationFactor: 1,
          configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({
            name,
            value,
          })),
        },
      ],
      waitForLeaders: true,
    }),
  );
  return topic;
}

/** Deletes topics a test created. */
export async function deleteTopics(topics: string[], brokers: string[] = BROKERS): Promise<void> {
  if (topics.length > 0) await withAdmin(brokers, (admin) => admin.deleteTopics({ topics }));
}

export type Row = Record<string, string | null>;

export interface FoldedTopic {
  /** The last row per `id` (the whole row for keyless tables), all tables together. */
  rows: Map<string, Row>;
  /** `database.table` → the last row per key. */
  tables: Map<string, Map<string, Row>>;
  /** `database.table` → rows inserted (full migration rows and INSERTs), repeats included. */
  inserted: Map<string, number>;
  messages: number;
  /** Row changes that repeated one already seen (the at-least-once window after a restart). */
  duplicates: number;
  /** DDL statements in topic order. */
  ddl: string[];
}

/**
 * Reads `topic` from the beginning to the end it had when the call started and applies every
 * row change in offset order. Gives up reading after `timeoutMs` and returns what it folded.
 */
export async function foldTopic(
  topic: string,
  format: 'canal-json' | 'dts-avro',
  options: { timeoutMs?: number; brokers?: string[] } = {},
): Promise<FoldedTopic> {
  const brokers = options.brokers ?? BROKERS;
  const client = kafka(brokers);
  const offsets = await withAdmin(brokers, (admin) => admin.fetchTopicOffsets(topic));
  const end = new Map(offsets.map((offset) => [offset.partition, Number(offset.high)]));
  const remaining = new Map(end);
  const folded: FoldedTopic = {
    rows: new Map(),
    tables: new Map(),
    inserted: new Map(),
    messages: 0,
    duplicates: 0,
    ddl: [],
  };
  const seen = new Set<string>();
  const consumer = client.consumer({ groupId: uniqueName('tw-test-fold') });
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
      remaining.set(partition, (end.get(partition) ?? 0) - Number(message.offset) - 1);
      applyMessage(folded, seen, format, message.value ?? Buffer.alloc(0));
      check();
    },
  });
  const timer = setTimeout(finish, options.timeoutMs ?? 30_000);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  return folded;
}

function rowKey(row: Row): string {
  return row.id !== undefined ? String(row.id) : JSON.stringify(row);
}

function applyRow(
  folded: FoldedTopic,
  seen: Set<string>,
  table: string,
  type: string,
  row: Row,
): void {
  const signature = `${table}:${type}:${JSON.stringify(row)}`;
  if (seen.has(signature)) folded.duplicates += 1;
  seen.add(signature);
  let rows = folded.tables.get(table);
  if (!rows) {
    rows = new Map();
    folded.tables.set(table, rows);
  }
  if (type === 'INSERT') folded.inserted.set(table, (folded.inserted.get(table) ?? 0) + 1);
  const key = rowKey(row);
  if (type === 'DELETE') {
    rows.delete(key);
    folded.rows.delete(key);
  } else {
    rows.set(key, row);
    folded.rows.set(key, row);
  }
}

function applyMessage(
  folded: FoldedTopic,
  seen: Set<string>,
  format: 'canal-json' | 'dts-avro',
  value: Buffer,
): void {
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
    for (const row of message.data ?? []) {
      applyRow(folded, seen, `${message.database}.${message.table}`, message.type, row);
    }
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
  const image = (operation === 'DELETE' ? record.beforeImages : record.afterImages) as
    unknown[] | null;
  if (!Array.isArray(image)) return;
  const row: Row = {};
  fields.forEach((field, index) => {
    row[field.name] = dtsValueText(image[index]);
  });
  // `docs/formats/dts-avro.md` §3: a `.` inside a name is written as `\u002E`.
  const [database = '', table = ''] = String(record.objectName)
    .replaceAll('\\u002E', '\u0000')
    .split('.')
    .map((part) => part.replaceAll('\u0000', '.'));
  applyRow(folded, seen, `${database}.${table}`, operation, row);
}

/**
 * A DTS Avro value as the Canal JSON text of the same value, for the types the tests' tables
 * use: integers, decimals and characters by their value, DATETIME(3) as `yyyy-MM-dd HH:mm:ss.SSS`;
 * other types as JSON.
 */
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
  if ('year' in object) {
    const pad = (n: unknown, width = 2) => String(n ?? 0).padStart(width, '0');
    const base = `${pad(object.year, 4)}-${pad(object.month)}-${pad(object.day)} ${pad(object.hour)}:${pad(object.minute)}:${pad(object.second)}`;
    // DATETIME(3): `millis` holds microseconds (`docs/formats/dts-avro.md` §4).
    return `${base}.${String(object.millis ?? 0)
      .padStart(6, '0')
      .slice(0, 3)}`;
  }
  return JSON.stringify(object);
}
