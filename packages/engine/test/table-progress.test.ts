import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
  waitUntil,
} from './fixtures';

/**
 * A table's progress as the API shows it: rows done and the key of the last acknowledged row
 * (its key columns' values as the snapshot's resume point holds them),
 * for tables read by key; null for a table without a key (read in one pass).
 */

let context: EngineContext;
const databases: string[] = [];
const log = () => undefined;

beforeAll(async () => {
  context = await engineForTests();
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

async function runFullMigration(database: string, tables: string[]) {
  const topic = await createTopic(1);
  const task = await createTask(context, {
    name: 'table progress',
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    stages: { schema: false, full: true, incremental: false },
    objects: tables.map((table) => ({ kind: 'table' as const, database, table })),
  });
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
    startedAt: new Date(),
  });
  const controller = new AbortController();
  const run = runTaskJob(context, task.id, {
    signal: controller.signal,
    workerId: 'table-progress-test',
    log,
    sourceTuning: { chunkSize: 40 },
  });
  const progress = await waitUntil('the full migration to finish', async () => {
    const rows = await context.runs.listTableProgress(task.id);
    return rows.length === tables.length && rows.every((row) => row.isDone) ? rows : undefined;
  });
  controller.abort('stop');
  await run;
  return progress;
}

describe('table progress', () => {
  it('records the key of the last acknowledged row of a table read by key', async () => {
    const database = await createOrdersDatabase(130);
    databases.push(database);
    const connection = await sourceConnection(database);
    await connection.query('CREATE TABLE keyless (a INT, b VARCHAR(10))');
    await connection.query("INSERT INTO keyless VALUES (1, 'x'), (2, 'y')");
    await connection.end();

    const progress = await runFullMigration(database, ['keyless', 'orders']);
    expect(progress).toEqual([
      expect.objectContaining({ table: 'keyless', rowsDone: 2, lastKey: null, isDone: true }),
      expect.objectContaining({ table: 'orders', rowsDone: 130, lastKey: ['130'], isDone: true }),
    ]);
  });
});
