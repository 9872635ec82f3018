import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTask,
  pauseTask,
  releaseTask,
  resumeTask,
  runPrecheck,
  startTask,
  type EngineContext,
} from '../src/index';
import { replicaServerId } from '../src/pipeline/source';
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

/** Who starts the tests' tasks (the API passes the signed-in operator). */
const OPERATOR = { username: 'engine-test' };

/**
 * The operator's lifecycle against a real worker process: precheck, start, pause (the worker
 * stops promptly and leaves the source), resume (it continues from the checkpoint), release
 * (the worker stops and the replica registration on the source is gone).
 */

const environment = testEnvironment();
let context: EngineContext;
let worker: WorkerProcess;
const workers: WorkerProcess[] = [];
let database: string;

beforeAll(async () => {
  context = await engineForTests(environment);
  worker = startWorker(environment);
  await waitForOutput(worker, 'worker started');
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await Promise.all(workers.map((each) => each.kill('SIGKILL')));
  if (database) await dropDatabase(database);
  await context?.close();
});

async function replicaRegistered(connection: mysql.Connection, serverId: number): Promise<boolean> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SHOW SLAVE HOSTS');
  return rows.some((row) => Number(row.Server_id) === serverId);
}

describe('task lifecycle with a worker process', () => {
  it('pauses, resumes, hands over on SIGTERM and releases a running task promptly, freeing the replica slot', async () => {
    database = await createOrdersDatabase(100);
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      objects: [{ kind: 'table', database, table: 'orders' }],
    });
    await runPrecheck(context, task.id);
    await waitUntil('the precheck to pass', async () => {
      const { status, statusReason } = await context.tasks.getTask(task.id);
      if (status === 'precheck_failed') throw new Error(`precheck failed: ${statusReason}`);
      return status === 'precheck_passed';
    });
    await startTask(context, task.id, { instanceClass: 'unlimited', acceptTerms: true }, OPERATOR);
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
    );

    const source = await sourceConnection(database);
    const serverId = replicaServerId(task.id);
    await waitUntil('the replica to register', () => replicaRegistered(source, serverId));

    const pausedAt = Date.now();
    await pauseTask(context, task.id);
    await waitUntil(
      'the worker to leave the source',
      async () => !(await replicaRegistered(source, serverId)),
      10_000,
    );
    expect(Date.now() - pausedAt).toBeLessThan(5_000);
    await waitForOutput(worker, '"reason":"pause"');

    // Written while paused: must arrive after resume, from the checkpoint.
    await source.query(
      "INSERT INTO orders VALUES (1001, 1, 'while paused', 1.50, '2025-01-01 00:00:00.000')",
    );
    await resumeTask(context, task.id);
    await waitUntil(
      'the paused write to arrive',
      async () => (await foldTopic(topic, 'canal-json')).rows.has('1001'),
      30_000,
    );

    // SIGTERM: the worker checkpoints, stops and hands the task over; a new worker continues
    // at once (no lease expiry to wait for).
    await worker.kill('SIGTERM');
    expect(worker.child.exitCode).toBe(0);
    expect(worker.output()).toContain('"message":"worker stopped"');
    const successor = startWorker(environment);
    workers.push(successor);
    const handedOverAt = Date.now();
    await source.query(
      "INSERT INTO orders VALUES (1002, 2, 'after handover', 2.50, '2025-01-01 00:00:00.000')",
    );
    await waitUntil(
      'the successor to deliver',
      async () => (await foldTopic(topic, 'canal-json')).rows.has('1002'),
      30_000,
    );
    expect(Date.now() - handedOverAt).toBeLessThan(10_000);

    const releasedAt = Date.now();
    await releaseTask(context, task.id);
    await waitUntil(
      'the replica slot to be freed',
      async () => !(await replicaRegistered(source, serverId)),
      10_000,
    );
    expect(Date.now() - releasedAt).toBeLessThan(5_000);
    await waitForOutput(successor, '"reason":"release"');
    expect((await context.tasks.getTask(task.id)).status).toBe('released');
    await source.end();
  });
});
