import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@tidewater/db';
import { AlertDelivery } from '../src/alert-delivery';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  BROKERS,
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
 * when the task catches up, and the contacts get a "cleared" notice. Delivery happens off the
 * replication path, is retried, bounded, and stops with the run.
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

/** A webhook that answers each POST with the status `answer` gives (1 for the first). */
async function startContact(answer: (attempt: number) => number | Promise<number>) {
  const bodies: Array<Record<string, any>> = [];
  const contact = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, any>);
      void Promise.resolve(answer(bodies.length)).then((status) =>
        response.writeHead(status).end(),
      );
    });
  });
  await new Promise<void>((resolve) => contact.listen(0, '127.0.0.1', resolve));
  const address = contact.address();
  const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url: `http://${host}/hook?token=secret`,
    host,
    bodies,
    close: () => new Promise<void>((resolve) => contact.close(() => resolve())),
  };
}

/** A task whose destination topic does not exist: its run fails and raises task_failed. */
function createDoomedTask(contacts: string[]) {
  return createTask(context, {
    name: uniqueName('doomed'),
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: {
      hosts: '127.0.0.1',
      port: 9092,
      topic: uniqueName('tw-gone').replaceAll('_', '-'),
    },
    objects: [{ kind: 'table', database, table: 'orders' }],
    advanced: { alerts: { enabled: true, latencyThresholdSeconds: 60, contacts } },
  }).then(async (task) => {
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    return task;
  });
}

/**
 * Webhooks that accept the connection, read the request and never answer, each on its own
 * port. (fetch may open a spare idle connection after an aborted request: only connections
 * that carried a request count.)
 */
async function startSilentContacts(count: number) {
  const servers: TcpServer[] = [];
  const hanging = new Map<string, Set<Socket>>();
  const sockets = new Set<Socket>();
  let requests = 0;
  for (let index = 0; index < count; index++) {
    const open = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => {
        requests += 1;
        open.add(socket);
      });
      socket.on('close', () => {
        open.delete(socket);
        sockets.delete(socket);
      });
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
    hanging.set(url, open);
    servers.push(server);
  }
  return {
    urls: [...hanging.keys()],
    /** Requests each contact holds unanswered right now, in the order of `urls`. */
    openConnections: () => [...hanging.values()].map((open) => open.size),
    /** Requests received so far, all contacts together. */
    requests: () => requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}

/** A live consumer that notes the `note` column of every row message (Canal JSON). */
async function watchNotes(topic: string) {
  const kafka = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('tw-alerts'), maxWaitTimeInMs: 50 });
  const notes = new Set<string>();
  let isFetching = false;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  consumer.on(consumer.events.FETCH_START, () => {
    isFetching = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const body = JSON.parse(message.value!.toString('utf8')) as {
        data: Array<{ note: string | null }> | null;
      };
      for (const row of body.data ?? []) if (row.note !== null) notes.add(row.note);
    },
  });
  await waitUntil('the consumer to fetch', async () => isFetching);
  return { notes, stop: () => consumer.disconnect() };
}

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
    // One statement: its rows share one commit second, so the latency only grows until the
    // task catches up (a burst spread over two seconds can dip under the threshold between
    // them and open a second alert).
    await writer.query('UPDATE orders SET qty = qty + 1 WHERE id BETWEEN 1 AND 8000');
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
    const [alert] = latency;
    expect(alert).toMatchObject({ deliveryError: null });
    expect(alert?.deliveredAt).not.toBeNull();
    // The contact got both notices of the one alert, in the same shape: opened, then cleared.
    const notices = received.filter(
      (body) => body.task.id === task.id && body.alert.kind === 'latency',
    );
    const shown = {
      id: alert!.id,
      kind: 'latency',
      message: alert!.message,
      openedAt: alert!.openedAt,
    };
    expect(notices).toEqual([
      {
        type: 'tidewater.alert',
        state: 'opened',
        alert: { ...shown, clearedAt: null },
        task: { id: task.id, name: task.name },
      },
      {
        type: 'tidewater.alert',
        state: 'cleared',
        alert: { ...shown, clearedAt: alert!.clearedAt },
        task: { id: task.id, name: task.name },
      },
    ]);
  });

  it('retries a contact that fails twice and records the delivery once it answers', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // 503 twice; the third attempt is held until the test has looked at the alert.
    const flaky = await startContact(async (attempt) => {
      if (attempt <= 2) return 503;
      await released;
      return 200;
    });
    const task = await createDoomedTask([flaky.url]);
    const run = runTaskJob(context, task.id, {
      signal: new AbortController().signal,
      workerId: 'test',
      log: () => undefined,
      alertDelivery: { retryInitialMs: 50, closeGraceMs: 30_000 },
    });
    await waitUntil('the third attempt', async () => flaky.bodies.length >= 3, 30_000);
    const [retrying] = await context.runs.listAlerts(task.id);
    expect(retrying?.deliveredAt).toBeNull();
    expect(retrying?.deliveryError).toBe(
      `opened notice not delivered yet, retrying (${flaky.host}: answered 503 (2 attempts))`,
    );
    release();
    expect((await run)?.kind).toBe('failed');
    const [delivered] = await context.runs.listAlerts(task.id);
    expect(delivered).toMatchObject({ kind: 'task_failed', deliveryError: null });
    expect(delivered?.deliveredAt).not.toBeNull();
    expect(flaky.bodies).toHaveLength(3);
    for (const body of flaky.bodies) {
      expect(body).toMatchObject({ state: 'opened', alert: { id: delivered?.id } });
    }
    await flaky.close();
  });

  it('records the contacts that never took the notice, retrying only what may recover', async () => {
    const down = await startContact(() => 500);
    const gone = await startContact(() => 404);
    const task = await createDoomedTask([down.url, gone.url]);
    const outcome = await runTaskJob(context, task.id, {
      signal: new AbortController().signal,
      workerId: 'test',
      log: () => undefined,
      alertDelivery: { retryInitialMs: 50 },
    });
    expect(outcome?.kind).toBe('failed');
    const [alert] = await context.runs.listAlerts(task.id);
    expect(alert?.deliveredAt).toBeNull();
    expect(alert?.deliveryError).toBe(
      `opened notice not delivered (${down.host}: answered 500 (3 attempts); ${gone.host}: answered 404 (1 attempt))`,
    );
    expect(down.bodies).toHaveLength(3);
    expect(gone.bodies).toHaveLength(1);
    await Promise.all([down.close(), gone.close()]);
  });

  it('keeps a bounded number of notices waiting and records the ones it drops', async () => {
    const silent = await startSilentContacts(1);
    const task = await createDoomedTask(silent.urls);
    const opened: AlertView[] = [];
    for (let spike = 1; spike <= 4; spike++) {
      const alert = await context.runs.openAlert(task.id, 'latency', `Spike ${spike}.`);
      await context.runs.clearAlerts(task.id, 'latency');
      opened.push(alert!);
    }
    const delivery = new AlertDelivery(context.runs, () => undefined, {
      maxSending: 1,
      maxPending: 2,
      requestTimeoutMs: 60_000,
      closeGraceMs: 200,
    });
    for (const alert of opened) {
      delivery.send({
        state: 'opened',
        alert,
        task: { id: task.id, name: task.name },
        contacts: silent.urls,
      });
    }
    // The first is being sent (and hangs), the third and fourth wait: the second was dropped.
    const deliveryError = async (alert: AlertView | undefined) =>
      (await context.runs.listAlerts(task.id)).find((view) => view.id === alert?.id)?.deliveryError;
    await waitUntil(
      'the drop to be recorded',
      async () => (await deliveryError(opened[1])) ?? false,
      5_000,
    );
    expect(await deliveryError(opened[1])).toBe(
      'opened notice dropped unsent: 2 newer notices were waiting for delivery',
    );
    await waitUntil('the first notice to be sent', async () => silent.requests() === 1, 5_000);
    const closedAt = Date.now();
    await delivery.close();
    expect(Date.now() - closedAt).toBeLessThan(3_000);
    expect(await deliveryError(opened[0])).toBe(
      `opened notice not delivered: the task run ended first (${new URL(silent.urls[0]!).host}: no answer before the run ended (1 attempt))`,
    );
    for (const alert of opened.slice(2)) {
      expect(await deliveryError(alert)).toBe('opened notice not sent: the task run ended first');
    }
    expect(silent.requests()).toBe(1);
    await silent.close();
  });

  it('keeps replicating while the contacts of an open alert never answer', async () => {
    const silent = await startSilentContacts(6);
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      stages: { schema: false, full: false, incremental: true },
      objects: [{ kind: 'table', database, table: 'orders' }],
      // 2,000 records/s: a burst of 6,000 updates puts the task about 2 s behind.
      instanceClass: 'small',
      advanced: {
        alerts: { enabled: true, latencyThresholdSeconds: 1, contacts: silent.urls },
      },
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const controller = new AbortController();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: () => undefined,
      // Longer than the test, so the contacts are surely still hanging when the row arrives.
      alertDelivery: { requestTimeoutMs: 60_000, closeGraceMs: 500 },
    });
    const consumer = await watchNotes(topic);
    const writer = await sourceConnection(database);
    let stoppedAt = 0;
    try {
      await waitUntil(
        'the stream position',
        async () => (await context.runs.readCheckpoint(task.id))?.snapshot != null,
      );
      await writer.query('UPDATE orders SET qty = qty + 1 WHERE id BETWEEN 1 AND 6000');
      await waitUntil(
        'a latency alert',
        async () =>
          (await context.runs.listAlerts(task.id)).some((alert) => alert.kind === 'latency'),
        30_000,
      );
      const marker = uniqueName('after-alert');
      await writer.query('UPDATE orders SET note = ? WHERE id = 2', [marker]);
      // Delivered one contact after another (10 s each), the alert would hold replication for
      // a minute; the row must arrive within the backlog's couple of seconds.
      await waitUntil(
        'the row written after the alert opened to reach Kafka',
        async () => consumer.notes.has(marker),
        8_000,
      );
      // Every contact was called at once (and again with the "cleared" notice if the task
      // has caught up meanwhile), and none has answered yet.
      expect(silent.openConnections().every((open) => open >= 1)).toBe(true);
      const opened = await context.runs.listAlerts(task.id);
      expect(opened.length).toBeGreaterThan(0);
      for (const alert of opened) {
        expect(alert).toMatchObject({ kind: 'latency', deliveredAt: null, deliveryError: null });
      }
    } finally {
      stoppedAt = Date.now();
      controller.abort('stop');
      await writer.end();
      await consumer.stop();
    }
    await run;
    // Delivery stops with the run, within its grace, and says why on the alert.
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    await waitUntil(
      'the webhook requests to be abandoned',
      async () => silent.openConnections().every((open) => open === 0),
      5_000,
    );
    for (const alert of await context.runs.listAlerts(task.id)) {
      expect(alert.deliveredAt).toBeNull();
      expect(alert.deliveryError).toMatch(/run ended/);
      for (const url of silent.urls) expect(alert.deliveryError).toContain(new URL(url).host);
    }
    await silent.close();
  });
});
