import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFormat } from '@tidewater/config';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  sourceRows,
  waitUntil,
} from './fixtures';

/**
 * The stage runner against the real stack, in process: schema, full and incremental migration
 * of a table into a three-partition topic, with writes during and after the snapshot, then the
 * topic folded back into rows and compared with the source table.
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

async function startedTask(database: string, topic: string, format: DataFormat) {
  const task = await createTask(context, {
    name: `runner ${format}`,
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    format,
    partitionPolicy: 'hash-primary-key',
    objects: [{ kind: 'table', database, table: 'orders' }],
  });
  // The runner's own test: the precheck and the API are tested elsewhere.
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
    startedAt: new Date(),
  });
  return task;
}

describe.each<DataFormat>(['canal-json', 'dts-avro'])('stage runner (%s)', (format) => {
  it('migrates schema, snapshot and the binlog with nothing lost', async () => {
    const database = await createOrdersDatabase(20_000);
    databases.push(database);
    const topic = await createTopic(3);
    const task = await startedTask(database, topic, format);
    const controller = new AbortController();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log,
      tuning: { idleFlushMs: 5 },
    });

    // Writes while the snapshot runs: they must all arrive, through the snapshot or the stream.
    const writer = await sourceConnection(database);
    let writes = 0;
    while (writes < 200) {
      writes += 1;
      await writer.query('UPDATE orders SET qty = qty + 1000, note = ? WHERE id = ?', [
        `during ${writes}`,
        1 + ((writes * 97) % 20_000),
      ]);
      if (writes % 50 === 0) await writer.query('DELETE FROM orders WHERE id = ?', [writes]);
    }
    await waitUntil('the full migration to finish', async () => {
      const tables = await context.runs.listTableProgress(task.id);
      return tables.length === 1 && tables[0]!.isDone;
    });
    // And after it: inserts, updates, deletes, a multi-row statement.
    await writer.query(
      `INSERT INTO orders VALUES (30001, 1, 'after', 9.99, '2025-01-01 00:00:00.000'), (30002, 2, NULL, 0.01, '2025-01-02 00:00:00.500')`,
    );
    await writer.query("UPDATE orders SET note = 'bulk' WHERE id BETWEEN 100 AND 140");
    await writer.query('DELETE FROM orders WHERE id BETWEEN 200 AND 210');
    await writer.end();

    const expected = await sourceRows(database);
    const folded = await waitUntil('the topic to match the source', async () => {
      const result = await foldTopic(topic, format);
      return result.rows.size === expected.size && result.rows.get('30002') ? result : undefined;
    });
    controller.abort('stop');
    const outcome = await run;
    expect(outcome?.kind).toBe('stopped');

    const differing = [...expected].filter(
      ([id, row]) => JSON.stringify(folded.rows.get(id)) !== JSON.stringify(row),
    );
    expect(
      differing.slice(0, 3).map(([id, row]) => ({ id, expected: row, got: folded.rows.get(id) })),
    ).toEqual([]);
    expect(folded.rows).toEqual(expected);
    expect(folded.ddl.some((sql) => /CREATE TABLE/i.test(sql))).toBe(true);
    const checkpoint = await context.runs.readCheckpoint(task.id);
    expect(checkpoint?.position).toMatchObject({
      file: expect.any(String),
      pos: expect.any(Number),
    });
    const progress = await context.runs.listTableProgress(task.id);
    // Rows deleted before their chunk was read are not part of the snapshot.
    expect(progress[0]?.rowsDone).toBeGreaterThan(19_900);
  });
});
