import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from './harness';
import { api } from './session';

/**
 * The HTTP API with the real worker, end to end: a task's whole lifecycle through the routes
 * the console and the CLI use, passwords that never come back, and a clear 4xx with nothing
 * written for bad input to every route.
 */

const database = `tw_api_${randomBytes(4).toString('hex')}`;
const topic = `tw-api-${randomBytes(4).toString('hex')}`;
const source = { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' };
const destination = { hosts: '127.0.0.1', port: 9092, topic };
const objects = [{ kind: 'table', database, table: 'items' }];

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
  await sourceQuery(`INSERT INTO \`${database}\`.items VALUES (1, 'one'), (2, 'two')`);
  const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
});

afterAll(async () => {
  await sourceQuery(`DROP DATABASE IF EXISTS \`${database}\``);
});

async function taskCount(): Promise<number> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM task')).rows[0].n);
  } finally {
    await client.end();
  }
}

async function waitForStatus(id: string, statuses: string[]) {
  return waitFor(`status ${statuses.join(' or ')}`, async () => {
    const { body } = await api(`/api/tasks/${id}`);
    return statuses.includes(body.task.status) ? body.task : undefined;
  });
}

describe('task API with a real worker', () => {
  it('runs a task through its lifecycle and never returns or stores a password in clear', async () => {
    const created = await api('/api/tasks', {
      method: 'POST',
      body: {
        name: 'api lifecycle',
        source: { ...source, password: 's3cret-pw' },
        destination,
        objects,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.task.id as string;
    expect(created.body.task.status).toBe('created');
    expect(created.body.task.config.source.hasPassword).toBe(true);
    expect(JSON.stringify(created.body)).not.toContain('s3cret-pw');

    // At rest the password is ciphertext.
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    const stored = await client.query('SELECT config::text AS config FROM task WHERE id = $1', [
      id,
    ]);
    await client.end();
    expect(stored.rows[0].config).not.toContain('s3cret-pw');
    expect(stored.rows[0].config).toMatch(/"password":\s*"v1:/);

    // The password is wrong for root: the precheck says so, item by item.
    expect((await api(`/api/tasks/${id}/precheck`, { method: 'POST' })).status).toBe(202);
    await waitForStatus(id, ['precheck_failed']);
    const report = (await api(`/api/tasks/${id}/precheck`)).body.precheck;
    const connectivity = report.items.find((item: any) => item.key === 'source.connectivity');
    expect(connectivity.status).toBe('fail');
    expect(connectivity.message).toMatch(/denied|password/i);
    expect(connectivity.remedy).toBeTruthy();
    expect(report.successRate).toBeLessThan(100);

    // Fix the password (PATCH keeps everything else), precheck again, start, pause, resume, stop.
    const patched = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { source: { password: '' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.task.status).toBe('created');
    expect(patched.body.task.config.objects).toHaveLength(1);
    await api(`/api/tasks/${id}/precheck`, { method: 'POST' });
    await waitForStatus(id, ['precheck_passed', 'precheck_failed']);
    expect((await api(`/api/tasks/${id}/precheck`)).body.precheck.successRate).toBe(100);

    const started = await api(`/api/tasks/${id}/start`, {
      method: 'POST',
      body: { instanceClass: 'medium', acceptTerms: true },
    });
    expect(started.status).toBe(200);
    expect(started.body.task.status).toBe('running');
    expect(started.body.task.actions).toEqual(['pause', 'stop', 'release']);
    await waitFor('incremental migration', async () => {
      const { body } = await api(`/api/tasks/${id}`);
      return body.task.stage === 'incremental' && body.task.progress.percent === 100
        ? true
        : undefined;
    });
    expect((await api(`/api/tasks/${id}/pause`, { method: 'POST' })).body.task.status).toBe(
      'paused',
    );
    expect((await api(`/api/tasks/${id}/resume`, { method: 'POST' })).body.task.status).toBe(
      'running',
    );
    expect((await api(`/api/tasks/${id}/stop`, { method: 'POST' })).body.task.status).toBe(
      'completed',
    );

    const details = (await api(`/api/tasks/${id}`)).body.task;
    expect(details.config.instanceClass).toBe('medium');
    expect(details.tables).toEqual([
      expect.objectContaining({ database, table: 'items', rowsDone: 2, isDone: true }),
    ]);
    const kinds = details.events.map((event: any) => event.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'created',
        'precheck_failed',
        'edited',
        'started',
        'paused',
        'resumed',
        'stopped',
      ]),
    );
    expect(JSON.stringify(details)).not.toContain('s3cret-pw');
    const listed = (await api('/api/tasks?search=api%20lifecycle&status=completed')).body.tasks;
    expect(listed.map((task: any) => task.id)).toEqual([id]);
  });

  it('answers bad input to every route with a clear 4xx error and writes nothing', async () => {
    const before = await taskCount();
    const expectError = (response: { status: number; body: any }, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toBeTruthy();
      expect(response.body.error.remedy).toBeTruthy();
      expect(JSON.stringify(response.body)).not.toMatch(/\n\s+at /);
    };

    const invalid = await api('/api/tasks', {
      method: 'POST',
      body: {
        source: { type: 'oracle', host: 'db', port: 70000 },
        destination: { topic: 'bad topic!' },
      },
    });
    expectError(invalid, 400, 'INVALID_INPUT');
    const paths = invalid.body.error.details.problems.map(
      (problem: { path: string }) => problem.path,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'source.type',
        'source.port',
        'source.user',
        'destination.hosts',
        'destination.topic',
      ]),
    );
    const notJson = await fetch(`${inject('baseUrl')}/api/tasks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${inject('apiToken')}`,
        'content-type': 'application/json',
      },
      body: '{oops',
    });
    expectError({ status: notJson.status, body: await notJson.json() }, 400, 'INVALID_JSON');
    expect(await taskCount()).toBe(before);

    expectError(
      await api('/api/tasks/00000000-0000-0000-0000-000000000000'),
      404,
      'TASK_NOT_FOUND',
    );
    expectError(await api('/api/tasks/not-a-uuid'), 404, 'TASK_NOT_FOUND');

    const draft = await api('/api/tasks', { method: 'POST', body: { source, destination } });
    const id = draft.body.task.id as string;
    const afterDraft = await taskCount();

    const badPatch = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { source: { port: 'many' } },
    });
    expectError(badPatch, 400, 'INVALID_INPUT');
    expect((await api(`/api/tasks/${id}`)).body.task.config.source.port).toBe(3307);
    expectError(
      await api(`/api/tasks/${id}`, { method: 'PATCH', body: [1, 2] }),
      400,
      'INVALID_INPUT',
    );

    expectError(await api(`/api/tasks/${id}/precheck`, { method: 'POST' }), 400, 'TASK_NO_OBJECTS');
    expectError(
      await api(`/api/tasks/${id}/start`, { method: 'POST', body: { instanceClass: 'huge' } }),
      400,
      'INVALID_INPUT',
    );
    expectError(
      await api(`/api/tasks/${id}/start`, {
        method: 'POST',
        body: { instanceClass: 'small', acceptTerms: true },
      }),
      409,
      'PRECHECK_NOT_PASSED',
    );
    expectError(
      await api(`/api/tasks/${id}/pause`, { method: 'POST' }),
      409,
      'TASK_STATE_CONFLICT',
    );
    expectError(
      await api(`/api/tasks/${id}/resume`, { method: 'POST' }),
      409,
      'TASK_STATE_CONFLICT',
    );
    expectError(await api(`/api/tasks/${id}/explode`, { method: 'POST' }), 404, 'NOT_FOUND');
    expectError(
      await api(`/api/tasks/${id}/precheck/items/nope/ignore`, { method: 'POST' }),
      409,
      'TASK_STATE_CONFLICT',
    );
    expectError(
      await api(`/api/tasks/${id}/filters`, { method: 'POST', body: { database } }),
      400,
      'INVALID_INPUT',
    );
    const badFilter = await api(`/api/tasks/${id}/filters`, {
      method: 'POST',
      body: { database, table: 'items', filter: 'id = 1; DROP TABLE items' },
    });
    expect(badFilter.status).toBe(200);
    expect(badFilter.body.isValid).toBe(false);
    expect(badFilter.body.error.remedy).toBeTruthy();
    const goodFilter = await api(`/api/tasks/${id}/filters`, {
      method: 'POST',
      body: { database, table: 'items', filter: "name <> 'two'" },
    });
    expect(goodFilter.body.isValid).toBe(true);

    expectError(
      await api('/api/connectivity/source', { method: 'POST', body: { host: '' } }),
      400,
      'INVALID_INPUT',
    );
    const wrongPassword = await api('/api/connectivity/source', {
      method: 'POST',
      body: { ...source, user: 'tidewater', password: 'wrong' },
    });
    expect(wrongPassword.status).toBe(200);
    expect(wrongPassword.body).toMatchObject({
      isReachable: false,
      error: { code: 'SOURCE_AUTH_FAILED' },
    });
    const unreachable = await api('/api/connectivity/destination', {
      method: 'POST',
      body: { hosts: '127.0.0.1', port: 1, topic },
    });
    expect(unreachable.body).toMatchObject({
      isReachable: false,
      error: { code: 'KAFKA_UNREACHABLE' },
    });
    const reachable = await api('/api/connectivity/destination', {
      method: 'POST',
      body: destination,
    });
    expect(reachable.body.isReachable).toBe(true);
    expect(reachable.body.topics.map((item: any) => item.name)).toContain(topic);

    expect((await api(`/api/tasks/${id}/release`, { method: 'POST' })).body.task.status).toBe(
      'released',
    );
    expectError(
      await api(`/api/tasks/${id}/release`, { method: 'POST' }),
      409,
      'TASK_STATE_CONFLICT',
    );
    expect(await taskCount()).toBe(afterDraft);
  });
});
