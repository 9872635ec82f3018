import { randomBytes } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, createOperatorRepository } from '@tidewater/db';
import { waitFor } from './harness';
import { createTopic, uniqueTopic } from './kafka';
import { authHeaders, baseUrl } from './session';

/**
 * The OpenAPI document against the API's real answers: every operation of the document is
 * called on `next start` with the real worker, and each answer's body is validated with a JSON
 * Schema 2020-12 validator (ajv) against the document's schema for that route and status.
 * Errors are validated too (their shared `Error` schema). The last test fails when an operation
 * of the document was never answered with its success status, so a new route needs a call here.
 */

const database = `tw_contract_${randomBytes(4).toString('hex')}`;
const topic = uniqueTopic('tw-contract');
const source = { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' };
const destination = { hosts: '127.0.0.1', port: 9092, topic };
const objects = [{ kind: 'table', database, table: 'items' }];

type Json = any;
interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
}

let document: { paths: Record<string, Record<string, Operation>>; components: Json };
let ajv: Ajv2020;
const validators = new Map<string, ValidateFunction>();
/** `METHOD path status` of every answer validated so far. */
const answered = new Set<string>();

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
  await createTopic(topic, 2);
  const response = await fetch(`${baseUrl()}/api/openapi.json`, { headers: authHeaders() });
  expect(response.status).toBe(200);
  document = (await response.json()) as typeof document;
  // strict: false because the document is not a JSON Schema itself (openapi, paths, …); only the
  // schemas inside it are compiled. Formats (date-time, uuid, uri) are checked.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  answered.add('GET /api/openapi.json 200');
  expect(validatorFor('get', '/api/openapi.json', 200)(document)).toBe(true);
});

afterAll(async () => {
  await sourceQuery(`DROP DATABASE IF EXISTS \`${database}\``);
});

/** JSON Pointer escaping (RFC 6901) of one path segment. */
const pointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function validatorFor(method: string, path: string, status: number): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  const known = validators.get(key);
  if (known) return known;
  const operation = document.paths[path]?.[method];
  if (!operation) throw new Error(`The document has no operation ${method.toUpperCase()} ${path}`);
  let response = operation.responses[String(status)];
  let at = `#/paths/${pointer(path)}/${method}/responses/${status}`;
  if (!response) {
    throw new Error(`The document has no ${status} answer for ${method.toUpperCase()} ${path}`);
  }
  if (response.$ref) {
    at = response.$ref;
    response = document.components.responses[response.$ref.split('/').at(-1) ?? ''];
  }
  if (!response?.content?.['application/json']) throw new Error(`No JSON body at ${at}`);
  const validate = ajv.compile({ $ref: `openapi.json${at}/content/application~1json/schema` });
  validators.set(key, validate);
  return validate;
}

interface CallOptions {
  body?: unknown;
  /** Extra headers; the admin's API token unless `headers.authorization` or a cookie is given. */
  headers?: Record<string, string>;
  isAnonymous?: boolean;
}

/**
 * Calls `method path` (the document's path with `{…}` filled in from `values`) and validates
 * the answer's body against the document's schema for that route and the status it answered.
 */
async function call(
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
  values: Record<string, string> = {},
  options: CallOptions = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
  const headers: Record<string, string> = {
    ...(options.isAnonymous || options.headers?.cookie ? {} : authHeaders()),
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const response = await fetch(`${baseUrl()}${url}`, {
    method: method.toUpperCase(),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = (await response.json()) as Json;
  const validate = validatorFor(method, path, response.status);
  const isValid = validate(body);
  expect(
    isValid ? [] : validate.errors,
    `${method.toUpperCase()} ${url} answered ${response.status} with a body the document does not allow: ${JSON.stringify(body).slice(0, 2000)}`,
  ).toEqual([]);
  answered.add(`${method.toUpperCase()} ${path} ${response.status}`);
  return { status: response.status, body, headers: response.headers };
}

async function waitForStatus(id: string, statuses: string[]): Promise<Json> {
  return waitFor(`status ${statuses.join(' or ')}`, async () => {
    const { body } = await call('get', '/api/tasks/{id}', { id });
    return statuses.includes(body.task.status) ? body.task : undefined;
  });
}

describe('every answer of the API matches the OpenAPI document', () => {
  it('answers the task routes through a whole lifecycle as documented', async () => {
    expect((await call('post', '/api/tasks', {}, { body: { source } })).status).toBe(400);
    const created = await call(
      'post',
      '/api/tasks',
      {},
      { body: { name: 'contract', source, destination, objects } },
    );
    expect(created.status).toBe(201);
    const id = created.body.task.id as string;
    expect(
      (await call('get', '/api/tasks/{id}', { id: '00000000-0000-0000-0000-000000000000' })).status,
    ).toBe(404);
    expect((await call('get', '/api/tasks', {}, {})).status).toBe(200);
    const patched = await call(
      'patch',
      '/api/tasks/{id}',
      { id },
      {
        body: {
          format: 'canal-json',
          destination: {
            schemaRegistry: {
              enabled: true,
              url: 'http://registry.invalid:8081/?token=hidden',
              user: 'reader',
              password: 'registry-pw',
            },
          },
          advanced: {
            alerts: {
              enabled: true,
              latencyThresholdSeconds: 60,
              contacts: ['http://hooks.invalid/alert'],
            },
          },
        },
      },
    );
    expect(patched.status).toBe(200);
    // Back to no registry, so that the precheck can pass.
    await call(
      'patch',
      '/api/tasks/{id}',
      { id },
      { body: { destination: { schemaRegistry: { enabled: false } } } },
    );

    const objectsTree = await call('get', '/api/tasks/{id}/source-objects', { id });
    expect(objectsTree.body.databases.map((item: Json) => item.name)).toContain(database);
    for (const filter of ["name <> 'two'", 'id = 1; DROP TABLE items', '']) {
      await call(
        'post',
        '/api/tasks/{id}/filters',
        { id },
        { body: { database, table: 'items', filter } },
      );
    }
    await call('post', '/api/tasks/{id}/connectivity/source', { id }, { body: source });
    await call('post', '/api/tasks/{id}/connectivity/destination', { id }, { body: destination });

    expect((await call('post', '/api/tasks/{id}/precheck', { id })).status).toBe(202);
    await waitForStatus(id, ['precheck_passed', 'precheck_failed']);
    const report = await call('get', '/api/tasks/{id}/precheck', { id });
    expect(report.body.precheck.successRate).toBe(100);
    const key = 'destination.version';
    await call('post', '/api/tasks/{id}/precheck/items/{key}/ignore', { id, key }, { body: {} });
    await call(
      'post',
      '/api/tasks/{id}/precheck/items/{key}/ignore',
      { id, key },
      { body: { isIgnored: false } },
    );

    expect(
      (await call('post', '/api/tasks/{id}/start', { id }, { body: { instanceClass: 'small' } }))
        .status,
    ).toBe(400);
    const started = await call(
      'post',
      '/api/tasks/{id}/start',
      { id },
      { body: { instanceClass: 'medium', acceptTerms: true } },
    );
    expect(started.status).toBe(200);
    await waitFor('incremental migration', async () => {
      const { body } = await call('get', '/api/tasks/{id}', { id });
      return body.task.stage === 'incremental' && body.task.progress.percent === 100
        ? true
        : undefined;
    });
    await call('get', '/api/tasks', {}, {});
    expect((await call('post', '/api/tasks/{id}/pause', { id })).body.task.status).toBe('paused');
    expect((await call('post', '/api/tasks/{id}/resume', { id })).status).toBe(200);
    expect((await call('post', '/api/tasks/{id}/resume', { id })).status).toBe(409);
    expect((await call('post', '/api/tasks/{id}/stop', { id })).body.task.status).toBe('completed');
    const details = await call('get', '/api/tasks/{id}', { id });
    expect(details.body.task.tables).toHaveLength(1);
    expect(details.body.task.events.length).toBeGreaterThan(0);

    // Restart is for a failed task; no real failure is needed to check the answer's shape.
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      await client.query(`UPDATE task SET status = 'failed' WHERE id = $1`, [id]);
    } finally {
      await client.end();
    }
    const restarted = await call(
      'post',
      '/api/tasks/{id}/restart',
      { id },
      { body: { fromScratch: false } },
    );
    expect(restarted.status).toBe(200);
    expect((await call('post', '/api/tasks/{id}/release', { id })).body.task.status).toBe(
      'released',
    );
  });

  it('answers connectivity tests and the system health as documented', async () => {
    const reachable = await call('post', '/api/connectivity/source', {}, { body: source });
    expect(reachable.body.isReachable).toBe(true);
    const refused = await call(
      'post',
      '/api/connectivity/source',
      {},
      { body: { ...source, user: 'tidewater', password: 'wrong' } },
    );
    expect(refused.body.isReachable).toBe(false);
    const kafka = await call('post', '/api/connectivity/destination', {}, { body: destination });
    expect(kafka.body.isReachable).toBe(true);
    const noKafka = await call(
      'post',
      '/api/connectivity/destination',
      {},
      { body: { ...destination, port: 1 } },
    );
    expect(noKafka.body.isReachable).toBe(false);
    const health = await call('get', '/api/system/health');
    expect(health.body.services.length).toBeGreaterThan(0);
  });

  it('answers the authentication routes as documented', async () => {
    const username = `contract-${randomBytes(3).toString('hex')}`;
    const password = 'contract-password-1';
    const db = createDatabase(inject('databaseUrl'));
    try {
      await createOperatorRepository(db).createOperator(username, password);
    } finally {
      await db.$disconnect();
    }
    const origin = { origin: baseUrl() };
    expect((await call('get', '/api/auth/session', {}, { isAnonymous: true })).status).toBe(401);
    const wrong = await call(
      'post',
      '/api/auth/sign-in',
      {},
      { isAnonymous: true, headers: origin, body: { username, password: 'not-it-at-all' } },
    );
    expect(wrong.status).toBe(401);
    const signedIn = await call(
      'post',
      '/api/auth/sign-in',
      {},
      { isAnonymous: true, headers: origin, body: { username, password } },
    );
    expect(signedIn.status).toBe(200);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const asOperator = { ...origin, cookie };
    expect((await call('get', '/api/auth/session', {}, { headers: asOperator })).body.via).toBe(
      'session',
    );
    expect((await call('get', '/api/auth/session')).body.via).toBe('token');

    const made = await call(
      'post',
      '/api/auth/tokens',
      {},
      { headers: asOperator, body: { name: 'contract', expiresInDays: 7 } },
    );
    expect(made.status).toBe(201);
    const second = await call(
      'post',
      '/api/auth/tokens',
      {},
      { headers: asOperator, body: { name: 'second' } },
    );
    const listed = await call('get', '/api/auth/tokens', {}, { headers: asOperator });
    expect(listed.body.tokens).toHaveLength(2);
    expect(
      (
        await call(
          'delete',
          '/api/auth/tokens/{id}',
          { id: second.body.apiToken.id },
          { headers: asOperator },
        )
      ).status,
    ).toBe(200);
    const changed = await call(
      'post',
      '/api/auth/password',
      {},
      {
        headers: asOperator,
        body: { currentPassword: password, newPassword: 'contract-password-2' },
      },
    );
    expect(changed.body.revokedApiTokens).toHaveLength(1);
    expect((await call('post', '/api/auth/sign-out', {}, { headers: asOperator })).status).toBe(
      200,
    );
  });

  it('has called every operation of the document with its success status', () => {
    const expected: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const success = Object.keys(operation.responses).find((status) => status.startsWith('2'));
        expected.push(`${method.toUpperCase()} ${path} ${success}`);
      }
    }
    expect(expected.filter((operation) => !answered.has(operation))).toEqual([]);
  });
});
