import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFormat } from '@tidewater/config';
import { decodeDtsAvro } from '@tidewater/formats';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  BROKERS,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
  uniqueName,
  waitUntil,
} from './fixtures';

/**
 * A whole database is selected and its schema changes while the full migration runs: a table
 * is created and written to, a planned table not yet read is altered, another is dropped. The
 * new table's CREATE and every row written to it, before and after the hand-over, reach the
 * topic in order, next to every row of the tables the snapshot read; and so they do when the
 * worker stops in the middle and the task resumes from its checkpoint.
 *
 * Small chunks make the snapshot of `big` last a few seconds; each test checks that its
 * writes happened while `big` was still being read, so it cannot pass by finishing early.
 */

type RunOutcome = Awaited<ReturnType<typeof runTaskJob>>;

let context: EngineContext;
const databases: string[] = [];
const log = () => undefined;
const BIG_ROWS = 20_000;
/** Small chunks make a few thousand rows last seconds (a chunk is a round trip and a delivery). */
const sourceTuning = { chunkSize: 20, concurrency: 1 };

beforeAll(async () => {
  context = await engineForTests();
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

/** `big` (read first), `gone` (dropped before its turn) and `small` (altered before its turn). */
async function createShopDatabase(): Promise<string> {
  const database = uniqueName('tw_newtables');
  databases.push(database);
  const connection = await sourceConnection();
  try {
    await connection.query(`CREATE DATABASE \`${database}\``);
    for (const table of ['big', 'gone', 'small']) {
      await connection.query(
        `CREATE TABLE \`${database}\`.${table} (id INT PRIMARY KEY, note VARCHAR(32) NOT NULL)`,
      );
    }
    for (let start = 1; start <= BIG_ROWS; start += 2000) {
      const values: string[] = [];
      for (let id = start; id < start + 2000 && id <= BIG_ROWS; id += 1) {
        values.push(`(${id}, 'big ${id}')`);
      }
      await connection.query(`INSERT INTO \`${database}\`.big VALUES ${values.join(',')}`);
    }
    await connection.query(`INSERT INTO \`${database}\`.gone VALUES (1, 'gone 1'), (2, 'gone 2')`);
    await connection.query(
      `INSERT INTO \`${database}\`.small VALUES (1, 'small 1'), (2, 'small 2')`,
    );
  } finally {
    await connection.end();
  }
  return database;
}

async function startedTask(database: string, topic: string, format: DataFormat) {
  const task = await createTask(context, {
    name: `new tables ${format}`,
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    format,
    // Every message of a table, DDL included, on one partition: per-table order is kept.
    partitionPolicy: 'hash-database-table',
    objects: [{ kind: 'database', database }],
  });
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
    startedAt: new Date(),
  });
  return task;
}

/** Rows of `big` acknowledged so far and whether it is done; null before the plan exists. */
async function bigProgress(taskId: string) {
  const tables = await context.runs.listTableProgress(taskId);
  return tables.find((table) => table.table === 'big') ?? null;
}

/** Waits for a state of the task, failing at once (with the outcome) if the run ended. */
async function waitWhileRunning<T>(
  what: string,
  run: Promise<RunOutcome>,
  probe: () => Promise<T | undefined | false>,
): Promise<T> {
  let ended: RunOutcome | undefined;
  void run.then((outcome) => {
    ended = outcome;
  });
  return waitUntil(what, async () => {
    if (ended !== undefined) {
      throw new Error(`The run ended while waiting for ${what}: ${JSON.stringify(ended)}`);
    }
    return probe();
  });
}

interface TopicMessage {
  table: string;
  /** `DDL`, or the row operation (`INSERT`, `INIT` for DTS snapshot rows, …). */
  type: string;
  sql: string | null;
  rows: Array<Record<string, string | null>>;
}

/** The topic's messages, each partition in offset order, partitions one after the other. */
async function readTopic(topic: string, format: DataFormat): Promise<TopicMessage[]> {
  const kafka = new Kafka({ clientId: 'tw-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('tw-test-read') });
  const byPartition = new Map<number, Array<{ offset: number; message: TopicMessage }>>();
  const remaining = new Map(offsets.map((offset) => [offset.partition, Number(offset.high)]));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const isDone = () => [...remaining.values()].every((left) => left <= 0);
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  if (isDone()) resolveDone();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const list = byPartition.get(partition) ?? [];
      list.push({
        offset: Number(message.offset),
        message: decodeMessage(format, message.value ?? Buffer.alloc(0)),
      });
      byPartition.set(partition, list);
      const high = Number(offsets.find((offset) => offset.partition === partition)?.high ?? 0);
      remaining.set(partition, high - Number(message.offset) - 1);
      if (isDone()) resolveDone();
    },
  });
  const timer = setTimeout(resolveDone, 30_000);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  return [...byPartition.keys()]
    .sort((a, b) => a - b)
    .flatMap((partition) =>
      (byPartition.get(partition) ?? [])
        .sort((a, b) => a.offset - b.offset)
        .map((entry) => entry.message),
    );
}

const TABLES = /`?\b(big|gone|small|t_new)\b`?/;

function decodeMessage(format: DataFormat, value: Buffer): TopicMessage {
  if (format === 'canal-json') {
    const message = JSON.parse(value.toString('utf8')) as {
      table: string;
      type: string;
      isDdl: boolean;
      sql: string;
      data: Array<Record<string, string | null>> | null;
    };
    return message.isDdl
      ? { table: TABLES.exec(message.sql)?.[1] ?? '', type: 'DDL', sql: message.sql, rows: [] }
      : { table: message.table, type: message.type, sql: null, rows: message.data ?? [] };
  }
  const record = decodeDtsAvro(value);
  if (record.operation === 'DDL') {
    const sql = String(record.afterImages);
    return { table: TABLES.exec(sql)?.[1] ?? '', type: 'DDL', sql, rows: [] };
  }
  const fields = (record.fields as Array<{ name: string }> | null) ?? [];
  const image = (record.operation === 'DELETE' ? record.beforeImages : record.afterImages) as
    unknown[] | null;
  const row: Record<string, string | null> = {};
  fields.forEach((field, index) => {
    row[field.name] = dtsText(image?.[index]);
  });
  return {
    table: String(record.objectName).split('.').at(-1) ?? '',
    type: record.operation,
    sql: null,
    rows: [row],
  };
}

/** An integer or character value of a DTS image as text. */
function dtsText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const [inner] = Object.values(value as Record<string, unknown>) as Array<Record<string, unknown>>;
  if (inner === undefined) return null;
  if (Buffer.isBuffer(inner.value)) return inner.value.toString('utf8');
  return String(inner.value);
}

/** A table's messages, in order: `DDL <first words>` or `<id>:<note>` per row. */
function historyOf(messages: TopicMessage[], table: string): string[] {
  return messages
    .filter((message) => message.table === table)
    .flatMap((message) =>
      message.type === 'DDL'
        ? [`DDL ${statementHead(message.sql ?? '')}`]
        : message.rows.map((row) => `${row.id}:${row.note}${row.extra ? `:${row.extra}` : ''}`),
    );
}

/** A statement up to its column list, without quotes and the server's comments. */
function statementHead(sql: string): string {
  return (sql.split(' (')[0] ?? '')
    .replace(/\/\*.*?\*\//g, '')
    .replaceAll('`', '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Keeps the first of each repeated entry (a resume may send the unacknowledged tail again). */
function firstOccurrences(entries: string[]): string[] {
  return [...new Set(entries)];
}

/** Ids of `big` rows missing from the topic. */
function missingBigRows(messages: TopicMessage[]): number[] {
  const seen = new Set(
    messages
      .filter((message) => message.table === 'big')
      .flatMap((message) => message.rows.map((row) => Number(row.id))),
  );
  const missing: number[] = [];
  for (let id = 1; id <= BIG_ROWS; id += 1) if (!seen.has(id)) missing.push(id);
  return missing;
}

/** The schema changes of the scenario, made while `big` is read. */
async function changeSchemaDuringSnapshot(database: string): Promise<void> {
  const writer = await sourceConnection(database);
  try {
    await writer.query(
      'CREATE TABLE t_new (id INT PRIMARY KEY, note VARCHAR(32) NOT NULL, extra INT NULL)',
    );
    await writer.query("INSERT INTO t_new (id, note) VALUES (1, 'during')");
    await writer.query('ALTER TABLE small ADD COLUMN extra INT NOT NULL DEFAULT 7');
    await writer.query('DROP TABLE gone');
  } finally {
    await writer.end();
  }
}

async function write(database: string, sql: string): Promise<void> {
  const writer = await sourceConnection(database);
  try {
    await writer.query(sql);
  } finally {
    await writer.end();
  }
}

describe.each<DataFormat>(['canal-json', 'dts-avro'])(
  'tables created during the full migration (%s)',
  (format) => {
    it('migrates a table created during the full migration from its CREATE on, in order', async () => {
      const database = await createShopDatabase();
      const topic = await createTopic(3);
      const task = await startedTask(database, topic, format);
      const controller = new AbortController();
      const run = runTaskJob(context, task.id, {
        signal: controller.signal,
        workerId: 'test',
        log,
        tuning: { idleFlushMs: 5 },
        sourceTuning,
      });
      try {
        await waitWhileRunning('the snapshot of big to start', run, async () => {
          const big = await bigProgress(task.id);
          return big !== null && big.rowsDone > 0;
        });
        await changeSchemaDuringSnapshot(database);
        // The writes above must land inside the full migration, or the test proves nothing.
        expect((await bigProgress(task.id))?.isDone).toBe(false);

        await waitWhileRunning(
          'the hand-over to incremental migration',
          run,
          async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
        );
        await write(database, "INSERT INTO t_new (id, note) VALUES (2, 'after')");
        const messages = await waitWhileRunning('row 2 of t_new in the topic', run, async () => {
          const read = await readTopic(topic, format);
          return historyOf(read, 't_new').includes('2:after') ? read : undefined;
        });

        expect(historyOf(messages, 't_new')).toEqual([
          'DDL CREATE TABLE t_new',
          '1:during',
          '2:after',
        ]);
        expect(missingBigRows(messages)).toEqual([]);
        // The planned tables' schema changes arrive in place too: the drop of a table not yet
        // read (which the snapshot then skips), and an ALTER before the rows read after it.
        expect(historyOf(messages, 'gone')).toEqual([
          'DDL CREATE TABLE gone',
          'DDL DROP TABLE gone',
        ]);
        expect(historyOf(messages, 'small')).toEqual([
          'DDL CREATE TABLE small',
          'DDL ALTER TABLE small ADD COLUMN extra INT NOT NULL DEFAULT 7',
          '1:small 1:7',
          '2:small 2:7',
        ]);
        // The table progress lists what the full migration read: tables created during it
        // are migrated by their binlog changes.
        const progress = await context.runs.listTableProgress(task.id);
        expect(progress.map((table) => [table.table, table.isDone])).toEqual([
          ['big', true],
          ['gone', true],
          ['small', true],
        ]);
      } finally {
        controller.abort('stop');
        await run;
      }
    });

    it('keeps every row of a table created during the full migration across a stop and resume', async () => {
      const database = await createShopDatabase();
      const topic = await createTopic(3);
      const task = await startedTask(database, topic, format);
      // The first run writes a checkpoint per chunk with one delivery in flight: the progress
      // the test waits on follows the snapshot closely, so it stops well inside the full
      // migration. The resumed run goes at the usual pace.
      const runOnce = (signal: AbortSignal, isFirst: boolean) =>
        runTaskJob(context, task.id, {
          signal,
          workerId: 'test',
          log,
          tuning: isFirst
            ? { idleFlushMs: 5, checkpointIntervalMs: 0, maxInFlight: 1 }
            : { idleFlushMs: 5 },
          sourceTuning,
        });

      const first = new AbortController();
      const firstRun = runOnce(first.signal, true);
      await waitWhileRunning('the snapshot of big to start', firstRun, async () => {
        const big = await bigProgress(task.id);
        return big !== null && big.rowsDone > 0;
      });
      await changeSchemaDuringSnapshot(database);
      // Stop once a chunk read after those writes is acknowledged (the deliveries in flight
      // hold far fewer than 40 chunks): the walk has passed the CREATE and row 1 by then.
      const rowsAtWrites = (await bigProgress(task.id))?.rowsDone ?? 0;
      await waitWhileRunning('big to move on after the writes', firstRun, async () => {
        const big = await bigProgress(task.id);
        return (
          big !== null && (big.rowsDone >= rowsAtWrites + 40 * sourceTuning.chunkSize || big.isDone)
        );
      });
      first.abort('shutdown');
      expect((await firstRun)?.kind).toBe('stopped');
      expect(historyOf(await readTopic(topic, format), 't_new')).toEqual([
        'DDL CREATE TABLE t_new',
        '1:during',
      ]);
      const checkpoint = (await context.runs.readCheckpoint(task.id))?.snapshot as {
        isFullDone: boolean;
        resume: { table: string } | null;
      };
      // The resume must happen inside the full migration for this test to mean anything.
      expect(checkpoint.isFullDone).toBe(false);
      expect(checkpoint.resume?.table).toBe('big');

      await write(database, "INSERT INTO t_new (id, note) VALUES (3, 'while stopped')");
      const second = new AbortController();
      const secondRun = runOnce(second.signal, false);
      try {
        await waitWhileRunning(
          'the hand-over to incremental migration',
          secondRun,
          async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
        );
        await write(database, "INSERT INTO t_new (id, note) VALUES (2, 'after')");
        const messages = await waitWhileRunning(
          'row 2 of t_new in the topic',
          secondRun,
          async () => {
            const read = await readTopic(topic, format);
            return historyOf(read, 't_new').includes('2:after') ? read : undefined;
          },
        );
        expect(firstOccurrences(historyOf(messages, 't_new'))).toEqual([
          'DDL CREATE TABLE t_new',
          '1:during',
          '3:while stopped',
          '2:after',
        ]);
        expect(missingBigRows(messages)).toEqual([]);
      } finally {
        second.abort('stop');
        await secondRun;
      }
    });
  },
);
