import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTask,
  enqueueRun,
  pauseTask,
  releaseTask,
  resumeTask,
  type EngineContext,
  type TaskSummary,
} from '../src/index';
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
import { startWorker, waitForOutput, type WorkerProcess } from './worker-process';

/**
 * A task that shows `running` always has a run job working on it: operator actions sent back
 * to back never leave it without one, and the worker's reconciler gives a job back to a
 * running task that lost its own.
 */

const environment = testEnvironment();
let context: EngineContext;
const databases: string[] = [];
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  context = await engineForTests(environment);
});

afterEach(async () => {
  for (const worker of workers)
    console.info(`--- worker output ---\n${worker.output().slice(-3000)}`);
  await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
  workers = [];
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

function spawnWorker(reconcileIntervalMs: number): WorkerProcess {
  const worker = startWorker({
    ...environment,
    TIDEWATER_RECONCILE_INTERVAL_MS: String(reconcileIntervalMs),
  });
  workers.push(worker);
  return worker;
}

/** A streaming-only task on a fresh table and topic, marked running (precheck is not the point). */
async function runningTask(): Promise<{ task: TaskSummary; database: string; topic: string }> {
  const database = await createOrdersDatabase(0);
  databases.push(database);
  const topic = await createTopic(1);
  const task = await createTask(context, {
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    format: 'canal-json',
    stages: { schema: false, full: false, incremental: true },
    objects: [{ kind: 'table', database, table: 'orders' }],
  });
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
    startedAt: new Date(),
  });
  return { task, database, topic };
}

async function insertRow(database: string, id: number): Promise<void> {
  const connection = await sourceConnection(database);
  try {
    await connection.query(
      "INSERT INTO orders VALUES (?, 1, 'liveness', 1.50, '2025-01-01 00:00:00.000')",
      [id],
    );
  } finally {
    await connection.end();
  }
}

/** The task's run jobs BullMQ holds as active (locked by a worker). */
async function activeRunJobs(taskId: string): Promise<number> {
  const active = await context.queues.run.getActive();
  return active.filter((job) => job.data.taskId === taskId).length;
}

describe('a running task has a run job', () => {
  it('still streams, with exactly one active run job, after 20 pause/resume pairs sent back to back', async () => {
    // The reconciler is kept out of this test (one pass an hour): the operator actions alone
    // must leave the task with a job.
    const worker = spawnWorker(3_600_000);
    await waitForOutput(worker, 'worker started');
    const { task, database, topic } = await runningTask();
    await enqueueRun(context.queues, task.id);
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      30_000,
    );
    await insertRow(database, 1);
    await waitUntil(
      'the first row',
      async () => (await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 })).rows.has('1'),
      30_000,
    );

    for (let pair = 0; pair < 20; pair++) {
      await pauseTask(context, task.id);
      await resumeTask(context, task.id);
    }
    expect((await context.tasks.getTask(task.id)).status).toBe('running');

    await insertRow(database, 2);
    await insertRow(database, 3);
    const folded = await waitUntil(
      'the rows written after the pause/resume pairs to reach Kafka',
      async () => {
        const result = await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 });
        return result.rows.has('2') && result.rows.has('3') ? result : undefined;
      },
      45_000,
    );
    expect([...folded.rows.keys()].sort()).toEqual(['1', '2', '3']);
    expect(await activeRunJobs(task.id)).toBe(1);
    expect((await context.tasks.getTask(task.id)).status).toBe('running');
    await releaseTask(context, task.id);
  }, 150_000);

  it('gives a running task whose job was removed from Redis a job again, once, with two workers reconciling', async () => {
    const { task, database, topic } = await runningTask();
    await enqueueRun(context.queues, task.id);
    // No worker yet: the job waits, and is then lost (a Redis flush, an operator's cleanup).
    expect(await context.queues.run.remove(`run-${task.id}`)).toBe(1);
    expect(await context.queues.run.getJobState(`run-${task.id}`)).toBe('unknown');

    const first = spawnWorker(1_000);
    const second = spawnWorker(1_000);
    await Promise.all([
      waitForOutput(first, 'worker started'),
      waitForOutput(second, 'worker started'),
    ]);
    await waitUntil(
      'the reconciler to queue the run and a worker to stream',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      30_000,
    );
    await insertRow(database, 1);
    await waitUntil(
      'the row to reach Kafka',
      async () => (await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 })).rows.has('1'),
      30_000,
    );
    expect(await activeRunJobs(task.id)).toBe(1);
    const requeued = (await context.tasks.listEvents(task.id)).filter(
      (event) => event.kind === 'run_requeued',
    );
    expect(requeued.length).toBe(1);
    expect(first.output() + second.output()).toContain('running task had no run job');
  }, 120_000);
});
