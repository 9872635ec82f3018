import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, enqueueRun, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  sourceRows,
  testEnvironment,
  waitUntil,
} from './fixtures';
import { startWorker, waitForOutput, type WorkerProcess } from './worker-process';

/**
 * Workers die: SIGKILL mid-snapshot and mid-stream, several times. Another worker takes the
 * task over from its checkpoint (BullMQ's job lock is the lease) and the topic ends up equal to
 * the source, with duplicates only within the at-least-once window (counted and reported).
 */

const environment = testEnvironment();
let context: EngineContext;
const workers: WorkerProcess[] = [];
let database: string;

beforeAll(async () => {
  context = await engineForTests(environment);
});

afterAll(async () => {
  for (const worker of workers)
    console.info(`--- worker output ---\n${worker.output().slice(-3000)}`);
  await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
  if (database) await dropDatabase(database);
  await context?.close();
});

function spawnWorker(): WorkerProcess {
  const worker = startWorker(environment);
  workers.push(worker);
  return worker;
}

describe('worker failover', () => {
  it('finishes the task with nothing lost when workers are killed mid-snapshot and mid-stream', async () => {
    database = await createOrdersDatabase(150_000);
    const topic = await createTopic(3);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      partitionPolicy: 'hash-primary-key',
      objects: [{ kind: 'table', database, table: 'orders' }],
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
      startedAt: new Date(),
    });

    const watch = setInterval(() => {
      void context.runs
        .listTableProgress(task.id)
        .then((tables) =>
          console.info(
            `progress ${JSON.stringify(tables.map((table) => [table.rowsDone, table.isDone]))}`,
          ),
        );
    }, 5_000);
    let current = spawnWorker();
    await waitForOutput(current, 'worker started');
    await enqueueRun(context.queues, task.id);
    const progressAbove = (rows: number) =>
      waitUntil(`${rows} rows migrated`, async () => {
        const [table] = await context.runs.listTableProgress(task.id);
        return table !== undefined && (table.rowsDone >= rows || table.isDone);
      });

    // Kill twice during the full migration, each time after progress was checkpointed.
    let kills = 0;
    for (const rows of [30_000, 80_000]) {
      await progressAbove(rows);
      await current.kill('SIGKILL');
      kills += 1;
      current = spawnWorker();
      await waitForOutput(current, 'worker started');
    }
    await waitUntil(
      'the full migration to finish on the new worker',
      async () => (await context.runs.listTableProgress(task.id))[0]?.isDone,
      120_000,
    );

    // Changes while streaming, and a kill in the middle of them.
    const writer = await sourceConnection(database);
    for (let batch = 0; batch < 20; batch++) {
      await writer.query('UPDATE orders SET qty = qty + 1 WHERE id BETWEEN ? AND ?', [
        batch * 500 + 1,
        batch * 500 + 500,
      ]);
      if (batch === 10) {
        await current.kill('SIGKILL');
        kills += 1;
        current = spawnWorker();
      }
    }
    await writer.query(
      "INSERT INTO orders VALUES (200001, 7, 'last', 1.50, '2025-01-01 00:00:00.000')",
    );
    await writer.end();

    clearInterval(watch);
    const expected = await sourceRows(database);
    // Messages of different partitions land in any order, so the last row may arrive before
    // earlier changes of other partitions: wait until every row matches, not only the last one.
    let differing: string[] = [];
    const folded = await waitUntil(
      'the topic to match the source',
      async () => {
        const result = await foldTopic(topic, 'canal-json');
        differing = [...expected]
          .filter(([id, row]) => JSON.stringify(result.rows.get(id)) !== JSON.stringify(row))
          .map(([id]) => id);
        return differing.length === 0 && result.rows.size === expected.size ? result : undefined;
      },
      180_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}: ${differing.length} rows differ (first ids ${differing.slice(0, 5).join(', ')})`,
      );
    });
    expect(folded.rows.size).toBe(expected.size);
    expect(kills).toBe(3);
    // The at-least-once window: what was sent but not checkpointed before each kill.
    console.info(
      `failover: ${kills} kills, ${folded.messages} messages, ${folded.duplicates} duplicate row changes`,
    );
    const events = await context.tasks.listEvents(task.id);
    expect(
      events.filter((event) => event.kind === 'worker_took_over').length,
    ).toBeGreaterThanOrEqual(4);
  });
});
