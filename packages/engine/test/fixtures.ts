import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { createTopic as createKitTopic, uniqueName } from '@tidewater/test-kit';
import { readEnvironment } from '@tidewater/config/environment';
import type { InsertEvent } from '@tidewater/change-events';
import { testColumn } from '@tidewater/change-events/testing';
import { createEngineContext, createTask, type EngineContext } from '../src/index';
import { AlertDelivery } from '../src/alert-delivery';
import type { RunnerDependencies } from '../src/runner/run-settings';
import { createDatabase, migrateDatabase } from '@tidewater/db';

export { BROKERS, foldTopic, uniqueName, type FoldedTopic } from '@tidewater/test-kit';

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

/** A private topic with `partitions` partitions on the test broker. */
export function createTopic(partitions: number): Promise<string> {
  return createKitTopic({ prefix: 'tw-engine', partitions });
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

/**
 * A Canal JSON task on the `orders` table of `database` (see `createOrdersDatabase`) into
 * `topic` on the local broker, with the schema stage and the given others.
 */
export function createOrdersTask(
  context: EngineContext,
  database: string,
  topic: string,
  stages: { full: boolean; incremental: boolean },
  advanced?: Record<string, unknown>,
): ReturnType<typeof createTask> {
  return createTask(context, {
    source: { type: 'mariadb', ...SOURCE },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    format: 'canal-json',
    stages: { schema: true, ...stages },
    objects: [{ kind: 'table', database, table: 'orders' }],
    ...(advanced === undefined ? {} : { advanced }),
  });
}

/**
 * A one-row INSERT into `shop.orders` (id, a utf8mb4 note), for tests that hand events to the
 * sink themselves; `id` also sets its binlog position and commit time.
 */
export function ordersInsert(id: number, note: string): InsertEvent {
  return {
    kind: 'insert',
    schema: {
      database: 'shop',
      table: 'orders',
      columns: [
        testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 }),
        testColumn('note', 'char', 'varchar', 'varchar(255)', { charset: 'utf8mb4' }),
      ],
      primaryKey: ['id'],
      uniqueKeys: {},
    },
    rows: [[String(id), note]],
    timestamp: 1714530030000 + id,
    position: { file: 'binlog.000001', pos: 100 + id, gtidSet: null },
    gtid: null,
    serverId: 1,
  };
}

/** What every runner a test drives itself is given besides its tuning, source and sink. */
export type RunnerBase = Omit<RunnerDependencies, 'openSource' | 'openSink' | 'tuning'>;

/**
 * A created task taken over for a runner the test drives itself (`runTask`): the task set
 * running, a lease epoch taken, its stored config read, no log, alerts stored only.
 */
export async function takeOverForRunner(
  context: EngineContext,
  task: { id: string; name: string },
  signal: AbortSignal,
): Promise<RunnerBase> {
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
  const epoch = await context.runs.takeOver(task.id);
  const config = await context.tasks.readTaskConfig(task.id);
  return {
    taskId: task.id,
    taskName: task.name,
    epoch,
    config,
    tasks: context.tasks,
    runs: context.runs,
    signal,
    log: () => undefined,
    alertDelivery: new AlertDelivery(context.runs, () => undefined),
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
