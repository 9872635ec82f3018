import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, enqueueRun, runJobId, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  testEnvironment,
  waitUntil,
} from './fixtures';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { startWorker, waitForOutput, type WorkerProcess } from './worker-process';

/**
 * The control database (PostgreSQL) restarts while a task streams. The worker rides it out:
 * the failed checkpoint writes are retried within the task's retry window, no promise rejects
 * unhandled (the worker runs with Node's default, which ends the process on one), and the task
 * stays running on the same job with every row delivered. The PostgreSQL stopped here is a
 * cluster of this file's own; the shared one is never restarted.
 */

const environment = testEnvironment();
let postgres: PrivatePostgres;
let context: EngineContext;
let worker: WorkerProcess | undefined;
let database: string | undefined;

beforeAll(async () => {
  postgres = await startPrivatePostgres('control-db-restart');
  environment.DATABASE_URL = postgres.url('tidewater');
  context = await engineForTests(environment);
}, 120_000);

afterAll(async () => {
  if (worker) console.info(`--- worker output ---\n${worker.output().slice(-6000)}`);
  await worker?.kill('SIGKILL');
  if (database) await dropDatabase(database);
  await context?.close();
  await postgres?.dispose();
});

async function insertRow(id: number): Promise<void> {
  const connection = await sourceConnection(database);
  try {
    await connection.query(
      "INSERT INTO orders VALUES (?, 1, 'control db restart', 1.50, '2025-01-01 00:00:00.000')",
      [id],
    );
  } finally {
    await connection.end();
  }
}

describe('a PostgreSQL restart under a running task', () => {
  it('keeps the worker alive and the task running on its job, and delivers the rows written during and after the outage', async () => {
    database = await createOrdersDatabase(0);
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      stages: { schema: false, full: false, incremental: true },
      objects: [{ kind: 'table', database, table: 'orders' }],
      advanced: { retryMinutes: 10 },
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
      startedAt: new Date(),
    });
    // The run is queued before the worker starts, as the API does (status, then queue): the
    // worker's first reconciliation pass then finds the job and repairs nothing.
    await enqueueRun(context.queues, task.id);
    worker = startWorker(environment);
    await waitForOutput(worker, 'worker started');
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      30_000,
    );
    await insertRow(1);
    await waitUntil(
      'the first row',
      async () => (await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 })).rows.has('1'),
      30_000,
    );

    // About ten seconds without PostgreSQL, with writes to the source all along.
    await postgres.stop();
    const during = [101, 102, 103, 104, 105];
    for (const id of during) {
      await insertRow(id);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(worker.child.exitCode).toBeNull();
    await postgres.start();
    await insertRow(201);

    const expected = ['1', ...during.map(String), '201'];
    await waitUntil(
      'the rows written during and after the outage to reach Kafka',
      async () => {
        const folded = await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 });
        return expected.every((id) => folded.rows.has(id));
      },
      90_000,
    );

    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
    expect((await context.tasks.getTask(task.id)).status).toBe('running');
    expect(await context.queues.run.getJobState(runJobId(task.id))).toBe('active');
    // Ridden out by the run's own retries: no failure, no job lost and queued again.
    const kinds = (await context.tasks.listEvents(task.id)).map((event) => event.kind);
    expect(kinds).not.toContain('failed');
    expect(kinds).not.toContain('run_requeued');
    expect(worker.output()).not.toContain('"message":"job failed"');
    expect(worker.output()).toContain('"code":"CONTROL_DB_UNAVAILABLE"');
  }, 240_000);
});
