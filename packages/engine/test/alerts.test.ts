import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
  uniqueName,
  waitUntil,
} from './fixtures';

/**
 * Alerts: a failed task and a latency over the threshold each open one alert, shown through the
 * repository the API reads and POSTed as JSON to the contacts' webhooks; a latency alert clears
 * when the task catches up.
 */

let context: EngineContext;
let database: string;
let server: Server;
let hookUrl: string;
const received: Array<Record<string, any>> = [];

beforeAll(async () => {
  context = await engineForTests();
  database = await createOrdersDatabase(8_000);
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body) as Record<string, any>);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
});

afterAll(async () => {
  server?.close();
  if (database) await dropDatabase(database);
  await context?.close();
});

const alerts = () => ({ enabled: true as const, latencyThresholdSeconds: 1, contacts: [hookUrl] });

describe('alerts', () => {
  it('raises a task_failed alert once and delivers it to the webhook', async () => {
    const task = await createTask(context, {
      name: 'doomed',
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: {
        hosts: '127.0.0.1',
        port: 9092,
        topic: uniqueName('tw-gone').replaceAll('_', '-'),
      },
      objects: [{ kind: 'table', database, table: 'orders' }],
      advanced: { alerts: alerts() },
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const outcome = await runTaskJob(context, task.id, {
      signal: new AbortController().signal,
      workerId: 'test',
      log: () => undefined,
    });
    expect(outcome?.kind).toBe('failed');
    const [alert, ...others] = await context.runs.listAlerts(task.id);
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ kind: 'task_failed', clearedAt: null, deliveryError: null });
    expect(alert?.deliveredAt).not.toBeNull();
    const delivered = received.find((body) => body.task.id === task.id);
    expect(delivered).toMatchObject({
      type: 'tidewater.alert',
      state: 'opened',
      alert: { kind: 'task_failed' },
      task: { id: task.id, name: 'doomed' },
    });
    expect(delivered?.alert.message).toMatch(/topic/i);
  });

  it('opens a latency alert when the task falls behind and clears it when it catches up', async () => {
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      stages: { schema: false, full: false, incremental: true },
      objects: [{ kind: 'table', database, table: 'orders' }],
      // 2,000 records/s: a burst of 8,000 updates puts the task about 3 s behind.
      instanceClass: 'small',
      advanced: { alerts: alerts() },
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const controller = new AbortController();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: () => undefined,
    });
    await waitUntil(
      'the stream position',
      async () => (await context.runs.readCheckpoint(task.id))?.snapshot != null,
    );
    const writer = await sourceConnection(database);
    for (let batch = 0; batch < 8; batch++) {
      await writer.query('UPDATE orders SET qty = qty + 1 WHERE id BETWEEN ? AND ?', [
        batch * 1000 + 1,
        batch * 1000 + 1000,
      ]);
    }
    await waitUntil(
      'a latency alert',
      async () =>
        (await context.runs.listAlerts(task.id)).some((alert) => alert.kind === 'latency'),
      30_000,
    );
    // Caught up: a quiet source shows zero latency, and the alert clears.
    await writer.query('UPDATE orders SET qty = qty + 1 WHERE id = 1');
    await writer.end();
    await waitUntil(
      'the latency alert to clear',
      async () =>
        (await context.runs.listAlerts(task.id)).every(
          (alert) => alert.kind !== 'latency' || alert.clearedAt !== null,
        ),
      30_000,
    );
    controller.abort('stop');
    await run;
    const latency = (await context.runs.listAlerts(task.id)).filter(
      (alert) => alert.kind === 'latency',
    );
    expect(latency).toHaveLength(1);
    expect(
      received.filter((body) => body.task.id === task.id && body.alert.kind === 'latency'),
    ).toHaveLength(1);
  });
});
