import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import { createTaskMetrics } from '../src/operations/index';
import { parsePrometheusText } from '@tidewater/test-kit';
import { startThrowawaySource, type ThrowawaySource } from './throwaway-source';
import { createTopic, engineForTests, foldTopic, waitUntil } from './fixtures';

/**
 * The source goes away: for less than the retry window the task reconnects from its
 * checkpoint and goes on with nothing lost; for longer it fails with the reason. The source is
 * a throwaway MariaDB this file starts through the stack's own code, so the shared one other
 * tests use never stops. A "minute" of the retry window is one second here. The run reports
 * to the worker's task metrics, scraped and parsed at the end: retries counted, the failure
 * counted by its code.
 */

let context: EngineContext;
let source: ThrowawaySource;
let port: number;

const exec = (sql: string) => source.exec(sql);

beforeAll(async () => {
  context = await engineForTests();
  source = await startThrowawaySource('retry-source');
  port = source.port;
  await exec('CREATE DATABASE outage');
  await exec(
    'CREATE TABLE outage.orders (id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(64) NULL)',
  );
}, 120_000);

afterAll(async () => {
  await source?.dispose();
  await context?.close();
});

describe('source outages', () => {
  it('reconnects through a short outage, then fails after the retry window', async () => {
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      objects: [{ kind: 'table', database: 'outage', table: 'orders' }],
      advanced: { retryMinutes: 10 },
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const controller = new AbortController();
    const registry = new Registry();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: () => undefined,
      telemetry: createTaskMetrics(registry),
      tuning: { minuteMs: 1_000, retryInitialMs: 300, retryMaxMs: 1_000 },
    });
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      60_000,
    );
    await exec("INSERT INTO outage.orders VALUES (1, 1, 'before')");
    await waitUntil('the first row', async () =>
      (await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 })).rows.has('1'),
    );

    await source.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await source.start();
    await exec("INSERT INTO outage.orders VALUES (2, 2, 'after the restart')");
    await waitUntil(
      'the row written after the restart',
      async () => (await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 })).rows.has('2'),
      60_000,
    );
    expect((await context.tasks.getTask(task.id)).status).toBe('running');

    await source.stop();
    const outcome = await run;
    expect(outcome?.kind).toBe('failed');
    const failed = await context.tasks.getTask(task.id);
    expect(failed.status).toBe('failed');
    expect(failed.statusReason).toMatch(/RETRY|retr/i);
    const metrics = parsePrometheusText(await registry.metrics());
    const labels = { task_id: task.id, task_name: task.name };
    expect(metrics.value('tidewater_task_retries_total', labels)).toBeGreaterThanOrEqual(2);
    // Counted under the code the task failed with (its status reason starts with it).
    const code = failed.statusReason?.split(':')[0] ?? '';
    expect(metrics.value('tidewater_task_failures_total', { ...labels, code })).toBe(1);
    expect(metrics.value('tidewater_task_records_total', { ...labels, stage: 'incremental' })).toBe(
      4,
    );
    // The run is over: no live figures are left for it on this process.
    expect(metrics.value('tidewater_task_running', labels)).toBeUndefined();
    expect(metrics.value('tidewater_task_records_per_second', labels)).toBeUndefined();
    await source.start();
  }, 180_000);
});
