import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, enqueueRun, type EngineContext, type TaskSummary } from '../src/index';
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
 * Scale-out as a Kubernetes Deployment of workers runs it: two worker processes on one queue
 * and one control database share the running tasks, and when one is killed (SIGKILL: a node
 * lost, an OOM kill; no shutdown hand-over) the other takes its tasks over once their leases
 * lapse; a rollout (a replacement starts, the old worker is sent SIGTERM) moves them to the new
 * worker. Every row written before, during and after each reaches the topics.
 */

const TASKS = 4;
/** A dead worker's lease lapses after LEASE.lockDurationMs + stalledIntervalMs (15 s). */
const TAKEOVER_TIMEOUT_MS = 60_000;

const environment = testEnvironment();
let context: EngineContext;
const workers: WorkerProcess[] = [];
const databases: string[] = [];

interface StreamingTask {
  task: TaskSummary;
  database: string;
  topic: string;
}

beforeAll(async () => {
  context = await engineForTests(environment);
});

afterAll(async () => {
  for (const worker of workers)
    console.info(`--- worker ${worker.child.pid} output ---\n${worker.output().slice(-3000)}`);
  await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

/** A port nothing listens on, for a worker's health and metrics server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function spawnWorker(): Promise<WorkerProcess> {
  const worker = startWorker({
    ...environment,
    // Two workers on one machine: each its own HTTP port (pods each have theirs).
    TIDEWATER_WORKER_HTTP_PORT: String(await freePort()),
  });
  workers.push(worker);
  return worker;
}

/** A streaming-only task on a fresh table and topic, marked running and queued. */
async function streamingTask(index: number): Promise<StreamingTask> {
  const database = await createOrdersDatabase(0);
  databases.push(database);
  const topic = await createTopic(2);
  const task = await createTask(context, {
    name: `scale-out ${index}`,
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    format: 'canal-json',
    partitionPolicy: 'hash-primary-key',
    stages: { schema: false, full: false, incremental: true },
    objects: [{ kind: 'table', database, table: 'orders' }],
  });
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
    startedAt: new Date(),
  });
  await enqueueRun(context.queues, task.id);
  return { task, database, topic };
}

/** Inserts ids `from`..`to`, and updates and deletes some earlier rows. */
async function writeRows(database: string, from: number, to: number): Promise<void> {
  const connection = await sourceConnection(database);
  try {
    for (let id = from; id <= to; id++) {
      await connection.query(
        "INSERT INTO orders VALUES (?, ?, 'scale-out', 2.50, '2025-01-01 00:00:00.000')",
        [id, id % 7],
      );
    }
    await connection.query('UPDATE orders SET qty = qty + 100 WHERE id BETWEEN ? AND ?', [
      from,
      from + 4,
    ]);
    await connection.query('DELETE FROM orders WHERE id = ?', [to]);
  } finally {
    await connection.end();
  }
}

/** The process id of the worker that took the task over last (from the task's events). */
async function holderPid(taskId: string): Promise<number | undefined> {
  const events = await context.tasks.listEvents(taskId);
  // Events come in the order they were written.
  const last = events.filter((event) => event.kind === 'worker_took_over').at(-1);
  // "Worker <host>-<pid>-<random> runs the task."
  const match = last?.message.match(/^Worker .*-(\d+)-[0-9a-f]{8} runs the task\.$/);
  return match ? Number(match[1]) : undefined;
}

/** Each task's topic, read by a consumer and folded, equals its source table. */
async function expectTopicsMatchSources(tasks: StreamingTask[], lastId: string): Promise<void> {
  for (const { task, database, topic } of tasks) {
    const expected = await sourceRows(database);
    // Messages of different partitions land in any order, so the last row may arrive before
    // earlier changes of other partitions: wait until every row matches, not only the last one.
    let differing: string[] = [];
    const folded = await waitUntil(
      `task ${task.name}'s topic to match its source`,
      async () => {
        const result = await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 });
        differing = [...expected]
          .filter(([id, row]) => JSON.stringify(result.rows.get(id)) !== JSON.stringify(row))
          .map(([id]) => id);
        return result.rows.has(lastId) && differing.length === 0 ? result : undefined;
      },
      90_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}: ${differing.length} rows differ (first ids ${differing.slice(0, 5).join(', ')})`,
      );
    });
    expect([...folded.rows.keys()].sort()).toEqual([...expected.keys()].sort());
    console.info(
      `scale-out: task ${task.name} up to row ${lastId}: ${folded.messages} messages, ${folded.duplicates} duplicate row changes`,
    );
  }
}

async function activeRunJobs(taskId: string): Promise<number> {
  const active = await context.queues.run.getActive();
  return active.filter((job) => job.data.taskId === taskId).length;
}

describe('workers scaled out', () => {
  it('share the running tasks, and a killed worker’s tasks continue on the other, and a rollout moves them to the new worker, with no row lost', async () => {
    const first = await spawnWorker();
    const second = await spawnWorker();
    await Promise.all([
      waitForOutput(first, 'worker started'),
      waitForOutput(second, 'worker started'),
    ]);
    const pids = [first.child.pid!, second.child.pid!];

    const tasks: StreamingTask[] = [];
    for (let index = 0; index < TASKS; index++) tasks.push(await streamingTask(index));
    await waitUntil(
      'every task to stream',
      async () => {
        for (const { task } of tasks) {
          if ((await context.runs.readRunState(task.id)).stage !== 'incremental') return false;
          if ((await holderPid(task.id)) === undefined) return false;
        }
        return true;
      },
      60_000,
    );

    // Both workers hold tasks: BullMQ hands each run job to one worker, whichever asks first.
    const holders = new Map<string, number>();
    for (const { task } of tasks) holders.set(task.id, (await holderPid(task.id))!);
    console.info(`scale-out: holders before the kill ${JSON.stringify([...holders.values()])}`);
    for (const pid of pids) expect([...holders.values()]).toContain(pid);

    await Promise.all(tasks.map(({ database }) => writeRows(database, 1, 40)));
    await waitUntil(
      'the first rows to reach every topic',
      async () => {
        for (const { topic } of tasks) {
          const folded = await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 });
          if (!folded.rows.has('39')) return false;
        }
        return true;
      },
      60_000,
    );

    // Kill the worker holding the most tasks, while rows are being written.
    const count = (pid: number) => [...holders.values()].filter((holder) => holder === pid).length;
    const victim = count(pids[0]!) >= count(pids[1]!) ? first : second;
    const survivor = victim === first ? second : first;
    const moved = tasks.filter(({ task }) => holders.get(task.id) === victim.child.pid);
    const writing = Promise.all(tasks.map(({ database }) => writeRows(database, 41, 80)));
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    await writing;

    await waitUntil(
      'the survivor to take over the killed worker’s tasks',
      async () => {
        for (const { task } of moved) {
          if ((await holderPid(task.id)) !== survivor.child.pid) return false;
        }
        return true;
      },
      TAKEOVER_TIMEOUT_MS,
    );
    console.info(
      `scale-out: ${moved.length} tasks taken over ${Date.now() - killedAt} ms after the kill`,
    );
    await Promise.all(tasks.map(({ database }) => writeRows(database, 81, 120)));

    await expectTopicsMatchSources(tasks, '119');
    for (const { task } of tasks) expect(await holderPid(task.id)).toBe(survivor.child.pid);

    // A rollout next: the Deployment's replacement pod starts, the survivor is sent SIGTERM,
    // checkpoints and hands its tasks over (no lease to wait for); the new pod runs them all.
    const replacement = await spawnWorker();
    await waitForOutput(replacement, 'worker started');
    const writingInRollout = Promise.all(
      tasks.map(({ database }) => writeRows(database, 121, 160)),
    );
    const terminatedAt = Date.now();
    await survivor.kill('SIGTERM');
    await writingInRollout;
    expect(survivor.child.exitCode).toBe(0);
    await waitUntil(
      'the replacement to take every task over',
      async () => {
        for (const { task } of tasks) {
          if ((await holderPid(task.id)) !== replacement.child.pid) return false;
        }
        return true;
      },
      TAKEOVER_TIMEOUT_MS,
    );
    console.info(
      `scale-out: ${TASKS} tasks handed over ${Date.now() - terminatedAt} ms after SIGTERM`,
    );
    await Promise.all(tasks.map(({ database }) => writeRows(database, 161, 200)));
    await expectTopicsMatchSources(tasks, '199');

    for (const { task } of tasks) {
      expect(await holderPid(task.id)).toBe(replacement.child.pid);
      expect((await context.tasks.getTask(task.id)).status).toBe('running');
      expect(await activeRunJobs(task.id)).toBe(1);
    }
  }, 300_000);
});
