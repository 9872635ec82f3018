import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import mysql from 'mysql2/promise';
import { decodeDtsAvro } from '@tidewater/formats';
import { readEnvironment } from '@tidewater/config/environment';
import { createEngineContext, type EngineContext } from '../src/index';
import { createDatabase, migrateDatabase } from '@tidewater/db';

/**
 * Real-stack fixtures for the engine's tests: a private database on the source MariaDB, a
 * private multi-partition topic, an engine context on the test database, and a consumer that
 * folds a topic back into rows so a test can compare it with the source table.
 */

export const SOURCE = {
  host: '127.0.0.1',
  port: Number(process.env.TIDEWATER_SOURCE_PORT ?? 3307),
  user: 'root',
  password: '',
};
export const BROKERS = (process.env.TIDEWATER_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function sourceConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...SOURCE,
    ...(database ? { database } : {}),
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
}

/** A database with an `orders` table of `rows` rows (id 1..rows). */
export async function createOrdersDatabase(rows: number): Promise<string> {
  const database = uniqueName('tw_engine');
  const connection = await sourceConnection();
  try {
    await connection.query(`CREATE DATABASE \`${database}\``);
    await connection.query(
      `CREATE TABLE \`${database}\`.orders (
         id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(64) NULL,
         price DECIMAL(10,2) NOT NULL, created DATETIME(3) NOT NULL)`,
    );
    for (let start = 1; start <= rows; start += 5000) {
      const values: string[] = [];
      for (let id = start; id < Math.min(rows + 1, start + 5000); id++) {
        values.push(`(${id}, ${id % 100}, 'note ${id}', ${id}.25, '2024-05-01 10:20:30.123')`);
      }
      await connection.query(`INSERT INTO \`${database}\`.orders VALUES ${values.join(',')}`);
    }
  } finally {
    await connection.end();
  }
  return database;
}

export async function dropDatabase(database: string): Promise<void> {
  const connection = await sourceConnection();
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

export async function createTopic(partitions: number): Promise<string> {
  const topic = uniqueName('tw-engine').replaceAll('_', '-');
  const admin = new Kafka({
    clientId: 'tw-test',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/**
 * The environment of a test's engine and of the worker processes it starts: its own queue
 * prefix and its own control database. A worker's reconciler owns every running task of its
 * database, so two test files (two installations) must never share one.
 */
export function testEnvironment(): Record<
  'DATABASE_URL' | 'TIDEWATER_SECRET_KEY' | 'TIDEWATER_QUEUE_PREFIX',
  string
> {
  const url = new URL(
    process.env.TIDEWATER_ENGINE_TEST_DATABASE_URL ??
      'postgresql://postgres@127.0.0.1:5432/tidewater_engine_test',
  );
  url.pathname = `/${uniqueName(url.pathname.replace(/^\//, '') || 'tidewater_engine_test')}`;
  return {
    DATABASE_URL: url.toString(),
    TIDEWATER_SECRET_KEY: randomBytes(32).toString('base64'),
    TIDEWATER_QUEUE_PREFIX: uniqueName('tw-engine-test'),
  };
}

/** An engine on the environment's database (created and migrated); `close` drops it. */
export async function engineForTests(environment = testEnvironment()): Promise<EngineContext> {
  await migrateDatabase(environment.DATABASE_URL);
  const context = createEngineContext({ ...readEnvironment(), ...environment });
  return {
    ...context,
    async close() {
      await context.close();
      await dropControlDatabase(environment.DATABASE_URL);
    },
  };
}

async function dropControlDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const maintenance = createDatabase(url.toString());
  try {
    // FORCE: a worker process the test killed may not have closed its connections yet.
    await maintenance.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await maintenance.$disconnect();
  }
}

export interface FoldedTopic {
  /** Final row per id after applying every message in offset order. */
  rows: Map<string, Record<string, string | null>>;
  messages: number;
  /** Row messages that repeated a change already seen (the at-least-once window). */
  duplicates: number;
  ddl: string[];
}

/**
 * Reads the whole topic and folds row messages into the final state per primary key, the way
 * a consumer would. Works for Canal JSON and DTS Avro (non-registry).
 */
export async function foldTopic(
  topic: string,
  format: 'canal-json' | 'dts-avro',
  expectedRows?: number,
  timeoutMs = 30_000,
  brokers: string[] = BROKERS,
): Promise<FoldedTopic> {
  const kafka = new Kafka({ clientId: 'tw-test', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const end = new Map(offsets.map((offset) => [offset.partition, Number(offset.high)]));
  const consumer = kafka.consumer({ groupId: uniqueName('tw-test-fold') });
  const folded: FoldedTopic = { rows: new Map(), messages: 0, duplicates: 0, ddl: [] };
  const seen = new Set<string>();
  const remaining = new Map(end);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const check = () => {
    if ([...remaining.values()].every((left) => left <= 0)) resolveDone();
  };
  check();
  await consumer.run({
    eachMessage: async ({ partition, message }: EachMessagePayload) => {
      folded.messages += 1;
      remaining.set(partition, (end.get(partition) ?? 0) - Number(message.offset) - 1);
      applyMessage(folded, seen, format, message.value ?? Buffer.alloc(0));
      check();
    },
  });
  const timer = setTimeout(resolveDone, timeoutMs);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  if (expectedRows !== undefined && folded.rows.size !== expectedRows) {
    // Leave the assertion to the caller; the count helps its message.
  }
  return folded;
}

function applyMessage(
  folded: FoldedTopic,
  seen: Set<string>,
  format: 'canal-json' | 'dts-avro',
  value: Buffer,
): void {
  if (format === 'canal-json') {
    const message = JSON.parse(value.toString('utf8')) as {
      type: string;
      isDdl: boolean;
      sql: string;
      data: Array<Record<string, string | null>> | null;
      es: number;
    };
    if (message.isDdl) {
      folded.ddl.push(message.sql);
      return;
    }
    for (const row of message.data ?? []) {
      const id = String(row.id);
      const signature = `${message.type}:${JSON.stringify(row)}`;
      if (seen.has(signature)) folded.duplicates += 1;
      seen.add(signature);
      if (message.type === 'DELETE') folded.rows.delete(id);
      else folded.rows.set(id, row);
    }
    return;
  }
  const record = decodeDtsAvro(value);
  if (record.operation === 'DDL') {
    folded.ddl.push(String(record.afterImages));
    return;
  }
  const fields = (record.fields as Array<{ name: string }> | null) ?? [];
  const image = (record.operation === 'DELETE' ? record.beforeImages : record.afterImages) as
    unknown[] | null;
  if (!image || !Array.isArray(image)) return;
  const row: Record<string, string | null> = {};
  fields.forEach((field, index) => {
    row[field.name] = dtsValueText(image[index]);
  });
  const id = String(row.id);
  const signature = `${record.operation}:${JSON.stringify(row)}`;
  if (seen.has(signature)) folded.duplicates += 1;
  seen.add(signature);
  if (record.operation === 'DELETE') folded.rows.delete(id);
  else folded.rows.set(id, row);
}

/** A DTS value as text: integers, decimals and characters by their value; others as JSON. */
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
    // The test table's DATETIME(3): millis holds microseconds (null or 0 without a fraction).
    return `${base}.${String(object.millis ?? 0)
      .padStart(6, '0')
      .slice(0, 3)}`;
  }
  return JSON.stringify(value);
}

/** The source table as the Canal-style text rows a folded topic holds. */
export async function sourceRows(
  database: string,
): Promise<Map<string, Record<string, string | null>>> {
  const connection = await sourceConnection(database);
  try {
    const [rows] = await connection.query<Array<mysql.RowDataPacket>>(
      'SELECT id, qty, note, price, created FROM orders ORDER BY id',
    );
    return new Map(
      rows.map((row) => [
        String(row.id),
        {
          id: String(row.id),
          qty: String(row.qty),
          note: row.note === null ? null : String(row.note),
          price: String(row.price),
          created: String(row.created),
        },
      ]),
    );
  } finally {
    await connection.end();
  }
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
