import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from './harness';
import { api } from './session';

/**
 * What the API promises about its input, over HTTP against `next start` and a worker: unknown
 * fields are refused with 400 naming them, a malformed or unknown id is a 404 on every route,
 * starting a task needs the terms accepted (and records who accepted them, and when), and no
 * 4xx answer writes anything — each bad request is followed by a look at the stored task.
 */

const database = `tw_strict_${randomBytes(4).toString('hex')}`;
const topic = `tw-strict-${randomBytes(4).toString('hex')}`;
const source = { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' };
const destination = { hosts: '127.0.0.1', port: 9092, topic };
const objects = [{ kind: 'table', database, table: 'items' }];

let client: pg.Client;

async function sourceQuery(sql: string): Promise<void> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3307, user: 'root' });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

beforeAll(async () => {
  await sourceQuery(`CREATE DATABASE \`${database}\``);
  await sourceQuery(`CREATE TABLE \`${database}\`.items (id INT PRIMARY KEY, name VARCHAR(32))`);
  await sourceQuery(`INSERT INTO \`${database}\`.items VALUES (1, 'one')`);
  const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await sourceQuery(`DROP DATABASE IF EXISTS \`${database}\``);
});

/** Everything stored about one task: its row, its events and its precheck items. */
async function stored(id: string) {
  const task = await client.query('SELECT row_to_json(t) AS row FROM task t WHERE id = $1', [id]);
  const events = await client.query(
    'SELECT kind, message, data FROM task_event WHERE task_id = $1 ORDER BY id',
    [id],
  );
  const items = await client.query(
    'SELECT key, status, is_ignored, finished_at FROM precheck_item WHERE task_id = $1 ORDER BY key',
    [id],
  );
  return { task: task.rows[0]?.row, events: events.rows, items: items.rows };
}

/** Row counts of every table a request could write to. */
async function totals() {
  const { rows } = await client.query(`SELECT
    (SELECT count(*) FROM task) AS tasks,
    (SELECT count(*) FROM task_event) AS events,
    (SELECT count(*) FROM precheck_item) AS items,
    (SELECT count(*) FROM api_token WHERE revoked_at IS NULL) AS tokens,
    (SELECT max(updated_at) FROM task) AS updated`);
  return rows[0];
}

type Answer = { status: number; body: any };

function expectProblem(answer: Answer, status: number, code: string, paths: string[] = []) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.code).toBe(code);
  expect(answer.body.error.remedy).toBeTruthy();
  const named = (answer.body.error.details?.problems ?? []).map(
    (problem: { path: string }) => problem.path,
  );
  expect(named).toEqual(expect.arrayContaining(paths));
  for (const path of paths) expect(answer.body.error.message).toContain(path.split('.').at(-1));
}

async function draft(fields: Record<string, unknown> = {}): Promise<string> {
  const created = await api('/api/tasks', {
    method: 'POST',
    body: { name: 'strict input', source, destination, objects, ...fields },
  });
  expect(created.status).toBe(201);
  return created.body.task.id as string;
}

describe('unknown fields', () => {
  it('refuses a new task with unknown fields, naming each, and saves nothing', async () => {
    const before = await totals();
    expectProblem(
      await api('/api/tasks', {
        method: 'POST',
        body: {
          source: { ...source, sslMode: 'REQUIRED' },
          destination: { ...destination, acks: 'all' },
          objects,
          colour: 'blue',
        },
      }),
      400,
      'INVALID_INPUT',
      ['colour', 'source.sslMode', 'destination.acks'],
    );
    expect(await totals()).toEqual(before);
  });

  it('refuses a patch with unknown or misshapen fields and leaves the task as it was', async () => {
    const id = await draft();
    const patches: Array<{ body: unknown; paths: string[] }> = [
      { body: { source: 'garbage' }, paths: ['source'] },
      { body: { destination: ['x'] }, paths: ['destination'] },
      { body: { colour: 'blue' }, paths: ['colour'] },
      { body: { name: 'renamed', status: 'running' }, paths: ['status'] },
      { body: { source: { hostname: 'elsewhere' } }, paths: ['source.hostname'] },
      { body: { source: { tls: { enabled: false, mode: 'x' } } }, paths: ['source.tls.mode'] },
      {
        body: { destination: { schemaRegistry: { enabled: false, url: 'http://registry' } } },
        paths: ['destination.schemaRegistry.url'],
      },
      {
        body: { objects: [{ kind: 'table', database, table: 'items', where: 'id = 1' }] },
        paths: ['objects.0.where'],
      },
      {
        body: { stages: { schema: true, full: true, incremental: true, verify: true } },
        paths: ['stages.verify'],
      },
      { body: { advanced: { retryMinutes: 30, retries: 3 } }, paths: ['advanced.retries'] },
      {
        body: { advanced: { alerts: { enabled: false, contacts: ['http://hook'] } } },
        paths: ['advanced.alerts.contacts'],
      },
    ];
    for (const patch of patches) {
      const before = await stored(id);
      const answer = await api(`/api/tasks/${id}`, { method: 'PATCH', body: patch.body });
      expectProblem(answer, 400, 'INVALID_INPUT', patch.paths);
      expect(await stored(id), JSON.stringify(patch.body)).toEqual(before);
    }
    // What the console and the CLI send is still taken.
    const renamed = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: {
        name: 'strict input renamed',
        source: { ...source, tls: { enabled: false, rejectUnauthorized: true } },
        destination: { ...destination, schemaRegistry: { enabled: false } },
      },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.task.name).toBe('strict input renamed');
  });

  it('refuses unknown fields in every other body, and writes nothing', async () => {
    const id = await draft();
    const before = await stored(id);
    const beforeTotals = await totals();
    const requests: Array<{ path: string; method?: string; body: unknown; field: string }> = [
      {
        path: `/api/tasks/${id}/start`,
        body: { instanceClass: 'small', acceptTerms: true, discount: 100 },
        field: 'discount',
      },
      {
        path: `/api/tasks/${id}/restart`,
        body: { fromScratch: true, force: true },
        field: 'force',
      },
      {
        path: `/api/tasks/${id}/precheck/items/source.keys/ignore`,
        body: { isIgnored: true, reason: 'x' },
        field: 'reason',
      },
      {
        path: `/api/tasks/${id}/filters`,
        body: { database, table: 'items', filter: 'id = 1', limit: 1 },
        field: 'limit',
      },
      {
        path: `/api/tasks/${id}/connectivity/source`,
        body: { ...source, charset: 'latin1' },
        field: 'charset',
      },
      {
        path: `/api/tasks/${id}/connectivity/destination`,
        body: { ...destination, acks: 'all' },
        field: 'acks',
      },
      {
        path: '/api/connectivity/source',
        body: { ...source, charset: 'latin1' },
        field: 'charset',
      },
      {
        path: '/api/connectivity/destination',
        body: { ...destination, acks: 'all' },
        field: 'acks',
      },
      { path: '/api/auth/tokens', body: { name: 'strict', colour: 'blue' }, field: 'colour' },
      {
        path: '/api/auth/sign-in',
        body: { username: 'nobody-strict', password: 'not-a-password', remember: true },
        field: 'remember',
      },
      {
        path: '/api/auth/password',
        body: {
          currentPassword: 'not-the-password',
          newPassword: 'long-enough-password',
          colour: 'blue',
        },
        field: 'colour',
      },
    ];
    for (const request of requests) {
      const answer = await api(request.path, {
        method: request.method ?? 'POST',
        body: request.body,
      });
      expectProblem(answer, 400, 'INVALID_INPUT', [request.field]);
    }
    expect(await stored(id)).toEqual(before);
    expect(await totals()).toEqual(beforeTotals);
    // The wizard tests the destination before a topic is chosen, with the whole form.
    const probe = await api('/api/connectivity/destination', {
      method: 'POST',
      body: { ...destination, topic: '' },
    });
    expect(probe.status).toBe(200);
    expect(probe.body.isReachable).toBe(true);
  });
});

describe('ids', () => {
  it('answers 404 for a malformed or unknown id on every route, and writes nothing', async () => {
    const ids = [
      'not-a-uuid',
      '-'.repeat(36),
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
      '00000000-0000-0000-0000-000000000000',
      randomUUID(),
      encodeURIComponent("1' OR '1'='1"),
      'x'.repeat(400),
    ];
    const routes: Array<{ method: string; path: (id: string) => string; body?: unknown }> = [
      { method: 'GET', path: (id) => `/api/tasks/${id}` },
      { method: 'PATCH', path: (id) => `/api/tasks/${id}`, body: { name: 'x' } },
      { method: 'GET', path: (id) => `/api/tasks/${id}/precheck` },
      { method: 'POST', path: (id) => `/api/tasks/${id}/precheck` },
      {
        method: 'POST',
        path: (id) => `/api/tasks/${id}/precheck/items/source.keys/ignore`,
        body: {},
      },
      {
        method: 'POST',
        path: (id) => `/api/tasks/${id}/start`,
        body: { instanceClass: 'small', acceptTerms: true },
      },
      ...['pause', 'resume', 'stop', 'release'].map((action) => ({
        method: 'POST',
        path: (id: string) => `/api/tasks/${id}/${action}`,
      })),
      { method: 'POST', path: (id) => `/api/tasks/${id}/restart`, body: { fromScratch: false } },
      { method: 'POST', path: (id) => `/api/tasks/${id}/connectivity/source`, body: source },
      {
        method: 'POST',
        path: (id) => `/api/tasks/${id}/connectivity/destination`,
        body: destination,
      },
      {
        method: 'POST',
        path: (id) => `/api/tasks/${id}/filters`,
        body: { database, table: 'items', filter: '' },
      },
      {
        method: 'POST',
        path: (id) => `/api/tasks/${id}/filters`,
        body: { database, table: 'items', filter: 'id = 1' },
      },
      { method: 'GET', path: (id) => `/api/tasks/${id}/source-objects` },
    ];
    const before = await totals();
    for (const id of ids) {
      for (const route of routes) {
        const answer = await api(route.path(id), { method: route.method, body: route.body });
        expect(
          answer.status,
          `${route.method} ${route.path(id)}: ${JSON.stringify(answer.body)}`,
        ).toBe(404);
        expect(answer.body.error.code).toBe('TASK_NOT_FOUND');
        expect(answer.body.error.remedy).toBeTruthy();
      }
      const token = await api(`/api/auth/tokens/${id}`, { method: 'DELETE' });
      expect(token.status, `DELETE /api/auth/tokens/${id}: ${JSON.stringify(token.body)}`).toBe(
        404,
      );
      expect(token.body.error.code).toBe('API_TOKEN_NOT_FOUND');
    }
    expect(await totals()).toEqual(before);
  });
});

/** A draft whose precheck passed (the worker runs it against the real source and Kafka). */
async function prechecked(): Promise<string> {
  // The tasks share a topic: each appends after the messages of the one before.
  const id = await draft({ conflictMode: 'ignore' });
  expect((await api(`/api/tasks/${id}/precheck`, { method: 'POST' })).status).toBe(202);
  await waitFor('the precheck to pass', async () => {
    const { body } = await api(`/api/tasks/${id}`);
    if (body.task.status === 'precheck_failed') throw new Error(JSON.stringify(body.task.precheck));
    return body.task.status === 'precheck_passed' ? true : undefined;
  });
  return id;
}

describe('starting a task', () => {
  it('needs the terms accepted, and records who accepted them and when', async () => {
    const id = await prechecked();
    for (const body of [
      { instanceClass: 'small' },
      { instanceClass: 'small', acceptTerms: false },
      { instanceClass: 'small', acceptTerms: 'yes' },
    ]) {
      const before = await stored(id);
      const refused = await api(`/api/tasks/${id}/start`, { method: 'POST', body });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error.code).toMatch(/^(TERMS_NOT_ACCEPTED|INVALID_INPUT)$/);
      expect(refused.body.error.details.problems.map((problem: any) => problem.path)).toContain(
        'acceptTerms',
      );
      expect(await stored(id), JSON.stringify(body)).toEqual(before);
    }
    expect((await stored(id)).task.terms_accepted_at ?? null).toBeNull();

    const startedAt = Date.now();
    const started = await api(`/api/tasks/${id}/start`, {
      method: 'POST',
      body: { instanceClass: 'medium', acceptTerms: true },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.task.status).toBe('running');
    expect(started.body.task.termsAcceptance.by).toBe('admin');
    const acceptedAt = Date.parse(started.body.task.termsAcceptance.at);
    expect(acceptedAt).toBeGreaterThanOrEqual(startedAt - 5_000);
    expect(acceptedAt).toBeLessThanOrEqual(Date.now() + 5_000);
    const { task: row, events } = await stored(id);
    expect(row.terms_accepted_by).toBe('admin');
    expect(Date.parse(row.terms_accepted_at)).toBe(acceptedAt);
    const startEvent = events.find((event: any) => event.kind === 'started');
    expect(startEvent.message).toMatch(/terms accepted by admin/i);
    expect((await api(`/api/tasks/${id}/release`, { method: 'POST' })).status).toBe(200);
  });

  it('checks the task state before writing: a start on a running task changes nothing', async () => {
    const id = await prechecked();
    const started = await api(`/api/tasks/${id}/start`, {
      method: 'POST',
      body: { instanceClass: 'medium', acceptTerms: true },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);

    const before = await stored(id);
    const again = await api(`/api/tasks/${id}/start`, {
      method: 'POST',
      body: { instanceClass: 'large', acceptTerms: true },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TASK_STATE_CONFLICT');
    const after = await stored(id);
    expect(after.task.config.instanceClass).toBe('medium');
    // The worker writes the run's own fields meanwhile; the request's are unchanged.
    const written = (task: Record<string, unknown>) => ({
      name: task.name,
      status: task.status,
      config: task.config,
      started_at: task.started_at,
      terms_accepted_at: task.terms_accepted_at,
      terms_accepted_by: task.terms_accepted_by,
    });
    expect(written(after.task)).toEqual(written(before.task));
    const operatorEvents = (events: Array<{ kind: string }>) =>
      events.filter((event) => ['started', 'edited'].includes(event.kind));
    expect(operatorEvents(after.events)).toEqual(operatorEvents(before.events));

    const patched = await api(`/api/tasks/${id}`, { method: 'PATCH', body: { name: 'too late' } });
    expect(patched.status).toBe(409);
    expect(written((await stored(id)).task)).toEqual(written(before.task));

    expect((await api(`/api/tasks/${id}/release`, { method: 'POST' })).status).toBe(200);
  });
});
