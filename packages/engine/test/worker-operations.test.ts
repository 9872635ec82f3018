import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTask, enqueueRun, releaseTask, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
  testEnvironment,
  waitUntil,
} from './fixtures';
import { parsePrometheusText, startPrivateRedis, type Scrape } from '@tidewater/test-kit';
import { startWorker, waitForOutput, type WorkerProcess } from './worker-process';

/**
 * The worker's operations server, against real worker processes: /livez, /readyz (PostgreSQL,
 * Redis, its queue consumers), /metrics scraped while a task copies and streams and parsed by
 * a third-party Prometheus parser, and its JSON log lines.
 */

const environment = testEnvironment();
const METRICS_TOKEN = `metrics-${randomBytes(12).toString('hex')}`;
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

/** Starts a worker and returns the address its operations server reported. */
async function spawnWorker(
  env: NodeJS.ProcessEnv = {},
): Promise<{ worker: WorkerProcess; base: string }> {
  const worker = startWorker({ ...environment, ...env });
  workers.push(worker);
  await waitForOutput(worker, 'worker started', 60_000);
  const started = logLines(worker).find((line) => line.message === 'worker started');
  return { worker, base: `http://${String(started?.http)}` };
}

function logLines(worker: WorkerProcess): Array<Record<string, unknown>> {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function scrape(base: string): Promise<Scrape> {
  const response = await fetch(`${base}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

async function insertRows(database: string, from: number, count: number): Promise<void> {
  const connection = await sourceConnection(database);
  try {
    const values = Array.from(
      { length: count },
      (_, index) =>
        `(${from + index}, 7, 'secret-row-content-${from + index}', 1.50, '2025-01-01 00:00:00.000')`,
    );
    await connection.query(`INSERT INTO orders VALUES ${values.join(',')}`);
  } finally {
    await connection.end();
  }
}

describe('the worker operations server', () => {
  it('reports a task copying and streaming in /metrics, with counters that move, and its queue depth', async () => {
    const { worker, base } = await spawnWorker({ TIDEWATER_METRICS_TOKEN: METRICS_TOKEN });
    const database = await createOrdersDatabase(2_000);
    databases.push(database);
    const topic = await createTopic(1);
    const task = await createTask(context, {
      name: 'metrics-probe',
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      stages: { schema: false, full: true, incremental: true },
      objects: [{ kind: 'table', database, table: 'orders' }],
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
      startedAt: new Date(),
    });
    await enqueueRun(context.queues, task.id);
    const labels = { task_id: task.id, task_name: 'metrics-probe' };

    // The full migration's 2,000 rows, counted once Kafka acknowledged them.
    const copied = await waitUntil(
      'the full migration in /metrics',
      async () => {
        const metrics = await scrape(base);
        return metrics.value('tidewater_task_stage', { ...labels, stage: 'incremental' }) === 1
          ? metrics
          : undefined;
      },
      60_000,
    );
    expect(copied.value('tidewater_task_rows_copied_total', labels)).toBe(2_000);
    expect(copied.value('tidewater_task_records_total', { ...labels, stage: 'full' })).toBe(2_000);
    expect(
      copied.value('tidewater_task_bytes_total', { ...labels, stage: 'full' }),
    ).toBeGreaterThan(2_000 * 50);
    expect(copied.value('tidewater_task_running', labels)).toBe(1);
    expect(copied.value('tidewater_task_stage', { ...labels, stage: 'full' })).toBeUndefined();
    expect(
      copied.value('tidewater_task_last_checkpoint_age_seconds', labels),
    ).toBeGreaterThanOrEqual(0);
    expect(copied.value('tidewater_task_retries_total', labels)).toBeUndefined();
    // The run job is the one active job of the run queue; nothing waits.
    expect(copied.value('tidewater_queue_jobs', { queue: 'run', state: 'active' })).toBe(1);
    expect(copied.value('tidewater_queue_jobs', { queue: 'run', state: 'waiting' })).toBe(0);
    expect(copied.value('tidewater_queue_read_ok')).toBe(1);
    // The process's own figures, from prom-client's default collectors.
    expect(copied.value('process_resident_memory_bytes', { service: 'worker' })).toBeGreaterThan(0);
    expect(copied.families.get('nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');

    // Changes streamed now move the incremental counter, the rate and the latency.
    const before =
      copied.value('tidewater_task_records_total', { ...labels, stage: 'incremental' }) ?? 0;
    await insertRows(database, 10_001, 300);
    const streamed = await waitUntil(
      'the 300 changes in /metrics',
      async () => {
        const metrics = await scrape(base);
        const records = metrics.value('tidewater_task_records_total', {
          ...labels,
          stage: 'incremental',
        });
        return records !== undefined && records >= before + 301 ? metrics : undefined;
      },
      60_000,
    );
    // The 300 row changes and their COMMIT: a record each, as the instance class counts them.
    expect(
      streamed.value('tidewater_task_records_total', { ...labels, stage: 'incremental' }),
    ).toBe(before + 301);
    expect(streamed.value('tidewater_task_latency_seconds', labels)).toBeGreaterThanOrEqual(0);
    const rated = await waitUntil(
      'a rate sample covering the changes',
      async () => {
        const metrics = await scrape(base);
        return (metrics.value('tidewater_task_records_per_second', labels) ?? 0) > 0
          ? metrics
          : undefined;
      },
      30_000,
    ).catch(() => undefined);
    // The rate is a 2 s window: it may already have dropped to 0 again; its series is there.
    if (rated === undefined) {
      expect((await scrape(base)).value('tidewater_task_records_per_second', labels)).toBe(0);
    }
    expect(
      (await scrape(base)).value('tidewater_task_rows_copied_total', labels),
      'rows copied is the full migration alone',
    ).toBe(2_000);

    // Released: the live gauges go, the counters stay.
    await releaseTask(context, task.id);
    const after = await waitUntil(
      'the run to end in /metrics',
      async () => {
        const metrics = await scrape(base);
        return metrics.value('tidewater_task_running', labels) === undefined ? metrics : undefined;
      },
      30_000,
    );
    expect(
      after.value('tidewater_task_stage', { ...labels, stage: 'incremental' }),
    ).toBeUndefined();
    expect(after.value('tidewater_task_rows_copied_total', labels)).toBe(2_000);

    // Log lines: one JSON shape, the worker's id on each, the task's on the task's; no row.
    const lines = logLines(worker);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 4)).toEqual(['time', 'level', 'service', 'message']);
      expect(new Date(String(line.time)).toISOString()).toBe(line.time);
      expect(line.service).toBe('worker');
      expect(line.workerId).toEqual(expect.any(String));
    }
    expect(lines.find((line) => line.message === 'task run started')).toMatchObject({
      level: 'info',
      taskId: task.id,
    });
    expect(worker.output()).not.toContain('secret-row-content');
    expect(worker.output()).not.toContain(METRICS_TOKEN);
  }, 240_000);

  it('answers /livez and /readyz without credentials, and /metrics only with the token', async () => {
    const { base } = await spawnWorker({ TIDEWATER_METRICS_TOKEN: METRICS_TOKEN });
    const live = await fetch(`${base}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ isAlive: true });

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      isReady: boolean;
      checks: Array<{ name: string; isUp: boolean }>;
    };
    expect(body.isReady).toBe(true);
    expect(body.checks.map((check) => [check.name, check.isUp])).toEqual([
      ['postgresql', true],
      ['redis', true],
      ['queue-workers', true],
    ]);

    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (
        await fetch(`${base}/metrics`, {
          headers: { authorization: 'Bearer wrong-token-of-some-length' },
        })
      ).status,
    ).toBe(401);
    const metrics = await scrape(base);
    expect(metrics.value('tidewater_queue_read_ok')).toBe(1);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  }, 120_000);

  it('turns not ready, naming Redis and no password, when its Redis goes away; still live', async () => {
    const redis = await startPrivateRedis();
    try {
      const { worker, base } = await spawnWorker({
        REDIS_URL: redis.url,
      });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      redis.kill();
      const answer = await waitUntil(
        'the worker to report Redis down',
        async () => {
          const response = await fetch(`${base}/readyz`);
          return response.status === 503 ? response : undefined;
        },
        30_000,
      );
      const text = await answer.text();
      expect(text).not.toContain(redis.password);
      const body = JSON.parse(text) as {
        isReady: boolean;
        checks: Array<{ name: string; isUp: boolean }>;
      };
      expect(body.isReady).toBe(false);
      expect(body.checks.find((check) => check.name === 'redis')?.isUp).toBe(false);
      expect(body.checks.find((check) => check.name === 'postgresql')?.isUp).toBe(true);
      expect((await fetch(`${base}/livez`)).status).toBe(200);
      // A scrape still answers; it says the queue depths could not be read.
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(parsePrometheusText(await metrics.text()).value('tidewater_queue_read_ok')).toBe(0);
      // The outage is logged in the one line shape, once per connection, not per reconnect.
      const lines = worker
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(
        logLines(worker).filter((line) => line.message === 'Redis connection lost; reconnecting'),
      ).toHaveLength(2);
    } finally {
      redis.kill();
    }
  }, 120_000);

  it('refuses to start on a port another process holds, naming the setting', async () => {
    const { base } = await spawnWorker();
    const port = new URL(base).port;
    const second = startWorker({ ...environment, TIDEWATER_WORKER_HTTP_PORT: port });
    workers.push(second);
    const code = await new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(second.output()).toContain('WORKER_HTTP_PORT_UNAVAILABLE');
    expect(second.output()).toContain('TIDEWATER_WORKER_HTTP_PORT');
  }, 120_000);
});
