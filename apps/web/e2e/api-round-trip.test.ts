import { describe, expect, inject, it } from 'vitest';
import { waitFor } from './harness';
import { authHeaders } from './session';

/** The API and a real worker, end to end: create, queue, check both ends, record, read back. */

const baseUrl = () => inject('baseUrl');
const source = { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' };
const destination = { hosts: '127.0.0.1', port: 9092, topic: 'tidewater-skeleton' };

async function createTask(body: unknown) {
  const response = await fetch(`${baseUrl()}/api/tasks`, {
    method: 'POST',
    headers: authHeaders({ 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function readTask(id: string) {
  const response = await fetch(`${baseUrl()}/api/tasks/${id}`, { headers: authHeaders() });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    task: Record<string, any>;
    events: Array<Record<string, any>>;
  };
}

describe('task API with a real worker', () => {
  it('creates a task, and the worker checks both ends and records what it found', async () => {
    const created = await createTask({
      name: 'round trip',
      source: { ...source, password: 's3cret-pw' },
      destination,
    });
    expect(created.status).toBe(201);
    expect(created.body.task.status).toBe('created');
    expect(JSON.stringify(created.body)).not.toContain('s3cret-pw');

    // Wrong password on purpose: the worker must report the source side failing, Kafka passing.
    const done = await waitFor('the precheck to finish', async () => {
      const { task, events } = await readTask(created.body.task.id);
      return task.status === 'precheck_failed' || task.status === 'precheck_passed'
        ? { task, events }
        : undefined;
    });
    expect(done.task.status).toBe('precheck_failed');
    expect(done.task.statusReason).toMatch(
      /Source 127\.0\.0\.1:3307 did not answer: Access denied/,
    );
    const kinds = done.events.map((event) => `${event.kind}:${event.level}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'created:info',
        'precheck_started:info',
        'source_check:error',
        'destination_check:info',
      ]),
    );
    expect(JSON.stringify(done)).not.toContain('s3cret-pw');
  });

  it('moves a task whose ends both answer to precheck passed, and lists it', async () => {
    const created = await createTask({ source, destination });
    expect(created.status).toBe(201);
    expect(created.body.task.name).toMatch(/^tidewater-\d{8}-[0-9a-z]{4}$/);
    const task = await waitFor('the precheck to pass', async () => {
      const { task } = await readTask(created.body.task.id);
      if (task.status === 'precheck_failed')
        throw new Error(`precheck failed: ${task.statusReason}`);
      return task.status === 'precheck_passed' ? task : undefined;
    });
    expect(task.statusReason).toBeNull();
    const list = (await (
      await fetch(`${baseUrl()}/api/tasks`, { headers: authHeaders() })
    ).json()) as {
      tasks: Array<{ id: string }>;
    };
    expect(list.tasks.map((item) => item.id)).toContain(created.body.task.id);
  });

  it('rejects an invalid body with a 400 naming every wrong field, and writes nothing', async () => {
    const before = (await (
      await fetch(`${baseUrl()}/api/tasks`, { headers: authHeaders() })
    ).json()) as { tasks: unknown[] };
    const bad = await createTask({
      source: { type: 'oracle', host: 'db', port: 70000 },
      destination: { topic: 'bad topic!' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_INPUT');
    const paths = bad.body.error.details.problems.map((problem: { path: string }) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'source.type',
        'source.port',
        'source.user',
        'destination.hosts',
        'destination.topic',
      ]),
    );
    expect(bad.body.error.remedy).toBeTruthy();
    const notJson = await fetch(`${baseUrl()}/api/tasks`, {
      method: 'POST',
      headers: authHeaders(),
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).error.code).toBe('INVALID_JSON');
    const after = (await (
      await fetch(`${baseUrl()}/api/tasks`, { headers: authHeaders() })
    ).json()) as { tasks: unknown[] };
    expect(after.tasks.length).toBe(before.tasks.length);
  });

  it('answers 404 with a remedy for a task that does not exist', async () => {
    const response = await fetch(`${baseUrl()}/api/tasks/00000000-0000-0000-0000-000000000000`, {
      headers: authHeaders(),
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as any;
    expect(body.error.code).toBe('TASK_NOT_FOUND');
    expect(body.error.remedy).toMatch(/GET \/api\/tasks/);
  });
});
