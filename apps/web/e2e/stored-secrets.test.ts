import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  basicAuth,
  registryAnswer,
  startFakeListener,
  startFakeMysql,
  startFakeRegistry,
  type FakeListener,
  type FakeMysql,
  type FakeRegistry,
} from './fake-servers';
import { launchBrowser, screenshot } from './browser';
import { waitFor } from './harness';
import { api, closePage, expectAccessible, openPage, signIn } from './session';
import { SOURCE_ROOT } from './source';

/**
 * A stored secret is only ever sent to the endpoint it was entered for. Anyone holding an API
 * token can test connectivity and edit drafts; these tests point a saved task at servers that
 * record what they receive (a MySQL-protocol listener that recovers passwords in clear, a TCP
 * listener in place of Kafka, HTTP servers in place of the schema registry) and check that the
 * stored password never reaches them unless the operator types it again.
 */

const suffix = randomBytes(4).toString('hex');
const database = `tw_sec_${suffix}`;
const account = `tw_sec_${suffix}`;
const sourcePassword = `src-${randomBytes(6).toString('hex')}`;
const kafkaPassword = 'tidewater-secret';
const registryPassword = `reg-${randomBytes(6).toString('hex')}`;
const topic = `tw-sec-${suffix}`;

const storedSource = {
  type: 'mariadb',
  host: SOURCE_ROOT.host,
  port: SOURCE_ROOT.port,
  user: account,
  password: sourcePassword,
};
const plainKafka = { hosts: '127.0.0.1', port: 9092, topic };
const objects = [{ kind: 'table', database, table: 'items' }];

let fakeMysql: FakeMysql;
const closers: Array<() => Promise<void>> = [];

async function rootQuery(sql: string): Promise<void> {
  const connection = await mysql.createConnection(SOURCE_ROOT);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

async function storedConfigText(id: string): Promise<string> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    const result = await client.query('SELECT config::text AS config FROM task WHERE id = $1', [
      id,
    ]);
    return String(result.rows[0].config);
  } finally {
    await client.end();
  }
}

async function createTask(body: Record<string, unknown>): Promise<string> {
  const created = await api('/api/tasks', { method: 'POST', body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.task.id as string;
}

function expectPasswordRequired(
  response: { status: number; body: any },
  path: string,
  changed: RegExp,
): void {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.error.code).toBe('PASSWORD_REQUIRED');
  expect(response.body.error.message).toMatch(changed);
  expect(response.body.error.remedy).toBeTruthy();
  expect(response.body.error.details.problems).toEqual([
    { path, message: expect.stringMatching(/password/i) },
  ]);
}

beforeAll(async () => {
  fakeMysql = await startFakeMysql();
  closers.push(() => fakeMysql.close());
  await rootQuery(`CREATE DATABASE \`${database}\``);
  await rootQuery(`CREATE TABLE \`${database}\`.items (id INT PRIMARY KEY, name VARCHAR(32))`);
  await rootQuery(`CREATE USER '${account}'@'%' IDENTIFIED BY '${sourcePassword}'`);
  await rootQuery(
    `GRANT SELECT, RELOAD, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO '${account}'@'%'`,
  );
});

afterAll(async () => {
  for (const close of closers) await close();
  await rootQuery(`DROP USER IF EXISTS '${account}'@'%'`);
  await rootQuery(`DROP DATABASE IF EXISTS \`${database}\``);
});

describe('the source password goes only to the server it was entered for', () => {
  it('tests a saved task with its stored password only at the same host, port and account', async () => {
    const id = await createTask({ source: storedSource, destination: plainKafka });
    const { password: _typed, ...sourceWithoutPassword } = storedSource;
    const test = (body: Record<string, unknown>) =>
      api(`/api/tasks/${id}/connectivity/source`, { method: 'POST', body });

    // Unchanged settings: the stored password is used, at the server it was entered for.
    const same = await test(sourceWithoutPassword);
    expect(same.status).toBe(200);
    expect(same.body.isReachable).toBe(true);

    // Another port, another host, another account: the password must be typed again.
    expectPasswordRequired(
      await test({ ...sourceWithoutPassword, port: fakeMysql.port }),
      'password',
      /port/,
    );
    expectPasswordRequired(
      await test({ ...sourceWithoutPassword, host: 'localhost' }),
      'password',
      /host/,
    );
    expectPasswordRequired(
      await test({ ...sourceWithoutPassword, user: 'root' }),
      'password',
      /account/,
    );
    expect(fakeMysql.connections).toBe(0);
    expect(fakeMysql.passwords).not.toContain(sourcePassword);

    // Typed again, a password goes where the operator points it (the fake server reads it,
    // which is what it would have done with the stored one).
    const typed = await test({
      ...sourceWithoutPassword,
      port: fakeMysql.port,
      password: 'typed-for-this-server',
    });
    expect(typed.status).toBe(200);
    expect(typed.body).toMatchObject({ isReachable: false, error: { code: 'SOURCE_AUTH_FAILED' } });
    expect(fakeMysql.passwords).toEqual(['typed-for-this-server']);
    expect(fakeMysql.passwords).not.toContain(sourcePassword);
  });

  it('asks for the password again when TLS is turned off, loosened or given another CA', async () => {
    // Saved with TLS and verification on: this server offers no TLS, so nothing is ever sent.
    const tlsSource = {
      type: 'mysql',
      host: '127.0.0.1',
      port: fakeMysql.port,
      user: account,
      password: sourcePassword,
      tls: { enabled: true, rejectUnauthorized: true },
    };
    const id = await createTask({ source: tlsSource, destination: plainKafka });
    const { password: _typed, ...withoutPassword } = tlsSource;
    const before = fakeMysql.passwords.length;
    const test = (tls: Record<string, unknown>) =>
      api(`/api/tasks/${id}/connectivity/source`, {
        method: 'POST',
        body: { ...withoutPassword, tls },
      });

    expectPasswordRequired(await test({ enabled: false }), 'password', /TLS/);
    expectPasswordRequired(
      await test({ enabled: true, rejectUnauthorized: false }),
      'password',
      /TLS/,
    );
    expectPasswordRequired(
      await test({
        enabled: true,
        rejectUnauthorized: true,
        ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      }),
      'password',
      /TLS/,
    );
    expect(fakeMysql.passwords.slice(before)).toEqual([]);
    expect(fakeMysql.users.slice(before)).toEqual([]);

    // The stored settings still work as they are: TLS is refused, before any password.
    const same = await test({ enabled: true, rejectUnauthorized: true });
    expect(same.body).toMatchObject({ isReachable: false, error: { code: 'SOURCE_TLS_FAILED' } });
    expect(fakeMysql.passwords).not.toContain(sourcePassword);
  });

  it('refuses an edit that moves the source without its password, so prechecks and runs connect only where it was entered', async () => {
    const id = await createTask({ source: storedSource, destination: plainKafka, objects });
    const connectionsBefore = fakeMysql.connections;

    expectPasswordRequired(
      await api(`/api/tasks/${id}`, {
        method: 'PATCH',
        body: { source: { host: '127.0.0.1', port: fakeMysql.port } },
      }),
      'source.password',
      /port/,
    );
    expectPasswordRequired(
      await api(`/api/tasks/${id}`, {
        method: 'PATCH',
        body: { source: { tls: { enabled: true, rejectUnauthorized: false } } },
      }),
      'source.password',
      /TLS/,
    );
    const unchanged = (await api(`/api/tasks/${id}`)).body.task;
    expect(unchanged.config.source).toMatchObject({ port: SOURCE_ROOT.port, hasPassword: true });
    expect(unchanged.events.map((event: any) => event.kind)).not.toContain('edited');

    // Editing anything else keeps the stored password with its server.
    const renamed = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { name: `secrets ${suffix}`, source: { type: 'mariadb' } },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.task.config.source.hasPassword).toBe(true);

    // The precheck (and so a run) connects with it to the stored server, and nowhere else.
    expect((await api(`/api/tasks/${id}/precheck`, { method: 'POST' })).status).toBe(202);
    const report = await waitFor('the precheck to finish', async () => {
      const { body } = await api(`/api/tasks/${id}/precheck`);
      return body.precheck.isComplete ? body.precheck : undefined;
    });
    const connectivity = report.items.find((item: any) => item.key === 'source.connectivity');
    expect(connectivity.status).toBe('pass');
    expect(fakeMysql.connections).toBe(connectionsBefore);

    // Moving it with the password typed again is an ordinary edit.
    const moved = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { source: { port: fakeMysql.port, password: 'typed-for-the-move' } },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.task.config.source).toMatchObject({
      port: fakeMysql.port,
      hasPassword: true,
    });
  });
});

describe('the Kafka SCRAM password goes only to the brokers it was entered for', () => {
  let fakeBroker: FakeListener;
  beforeAll(async () => {
    fakeBroker = await startFakeListener();
    closers.push(() => fakeBroker.close());
  });

  it('tests and edits a saved task with the stored password only at the same brokers, account and TLS settings', async () => {
    const scram = {
      hosts: '127.0.0.1',
      port: 9094,
      encryption: 'scram-sha-256',
      user: 'tidewater',
      password: kafkaPassword,
      topic,
    };
    const id = await createTask({ source: storedSource, destination: scram });
    const { password: _typed, topic: _topic, ...connection } = scram;
    const test = (body: Record<string, unknown>) =>
      api(`/api/tasks/${id}/connectivity/destination`, { method: 'POST', body });

    const same = await test(connection);
    expect(same.status).toBe(200);
    expect(same.body.isReachable).toBe(true);

    expectPasswordRequired(
      await test({ ...connection, port: fakeBroker.port }),
      'password',
      /broker/,
    );
    expectPasswordRequired(
      await test({ ...connection, hosts: `127.0.0.1:9094,127.0.0.1:${fakeBroker.port}` }),
      'password',
      /broker/,
    );
    expectPasswordRequired(await test({ ...connection, user: 'someone' }), 'password', /account/);
    expectPasswordRequired(
      await test({ ...connection, tls: { enabled: true, rejectUnauthorized: false } }),
      'password',
      /TLS/,
    );
    expectPasswordRequired(
      await api(`/api/tasks/${id}`, {
        method: 'PATCH',
        body: { destination: { port: fakeBroker.port } },
      }),
      'destination.password',
      /broker/,
    );
    expect(fakeBroker.connections).toBe(0);

    // Fewer of the same brokers is the same endpoint; no password needed.
    const subset = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { destination: { hosts: '127.0.0.1:9094' } },
    });
    expect(subset.status).toBe(200);
    expect(subset.body.task.config.destination.hasPassword).toBe(true);

    // Without SCRAM the password is not used, and it is not kept for other brokers.
    const plain = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { destination: { hosts: '127.0.0.1', port: 9092, encryption: 'none' } },
    });
    expect(plain.status).toBe(200);
    expect(plain.body.task.config.destination.hasPassword).toBe(false);
    expect(JSON.parse(await storedConfigText(id)).destination.password).toBeUndefined();

    // Typed again, the test goes where the operator points it (the control for the fake).
    const typed = test({ ...connection, port: fakeBroker.port, password: 'typed-now' });
    await waitFor('the broker test to reach the fake broker', async () =>
      fakeBroker.connections > 0 ? true : undefined,
    );
    await fakeBroker.close();
    expect((await typed).body.isReachable).toBe(false);
  });
});

describe('schema registry credentials', () => {
  let registry: FakeRegistry;
  let elsewhere: FakeRegistry;
  beforeAll(async () => {
    registry = await startFakeRegistry(registryAnswer);
    elsewhere = await startFakeRegistry(registryAnswer);
    closers.push(
      () => registry.close(),
      () => elsewhere.close(),
    );
  });

  it('keeps the registry account in its own fields: sealed at rest, never returned, sent only to its registry', async () => {
    const destination = {
      ...plainKafka,
      schemaRegistry: {
        enabled: true,
        url: registry.url,
        user: 'registry-user',
        password: registryPassword,
      },
    };
    const id = await createTask({ source: storedSource, destination });

    const details = (await api(`/api/tasks/${id}`)).body.task;
    expect(details.config.destination.schemaRegistry).toEqual({
      enabled: true,
      url: registry.url,
      user: 'registry-user',
      hasPassword: true,
    });
    const listed = (await api('/api/tasks')).body;
    expect(JSON.stringify(listed)).not.toContain(registryPassword);
    expect(JSON.stringify(details)).not.toContain(registryPassword);
    const stored = await storedConfigText(id);
    expect(stored).not.toContain(registryPassword);
    expect(JSON.parse(stored).destination.schemaRegistry.password).toMatch(/^v1:/);

    const { password: _typed, ...withoutPassword } = destination.schemaRegistry;
    const { topic: _topic, ...kafka } = plainKafka;
    const test = (schemaRegistry: Record<string, unknown>) =>
      api(`/api/tasks/${id}/connectivity/destination`, {
        method: 'POST',
        body: { ...kafka, schemaRegistry },
      });

    // Its own registry gets the credentials as HTTP Basic authentication.
    const same = await test(withoutPassword);
    expect(same.status).toBe(200);
    expect(same.body.schemaRegistry).toMatchObject({ isReachable: true });
    expect(registry.requests).toEqual([
      {
        method: 'GET',
        path: '/subjects',
        authorization: basicAuth('registry-user', registryPassword),
      },
    ]);

    // Another registry URL or account needs the password again.
    expectPasswordRequired(
      await test({ ...withoutPassword, url: elsewhere.url }),
      'schemaRegistry.password',
      /registry URL/,
    );
    expectPasswordRequired(
      await test({ ...withoutPassword, user: 'someone-else' }),
      'schemaRegistry.password',
      /account/,
    );
    expectPasswordRequired(
      await api(`/api/tasks/${id}`, {
        method: 'PATCH',
        body: { destination: { schemaRegistry: { ...withoutPassword, url: elsewhere.url } } },
      }),
      'destination.schemaRegistry.password',
      /registry URL/,
    );
    expect(elsewhere.requests).toEqual([]);

    // Saving the draft again as the wizard does (no password) keeps it with its registry.
    const kept = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: { destination: { ...destination, schemaRegistry: withoutPassword } },
    });
    expect(kept.status).toBe(200);
    expect(kept.body.task.config.destination.schemaRegistry.hasPassword).toBe(true);

    // Typed again, it goes to the registry the operator names.
    await test({ ...withoutPassword, url: elsewhere.url, password: 'typed-for-elsewhere' });
    expect(elsewhere.requests.map((request) => request.authorization)).toEqual([
      basicAuth('registry-user', 'typed-for-elsewhere'),
    ]);
  });

  it('refuses credentials inside the registry URL, and sends none along a redirect', async () => {
    const inUrl = new URL(registry.url);
    inUrl.username = 'registry-user';
    inUrl.password = 'in-the-url';
    const refused = await api('/api/connectivity/destination', {
      method: 'POST',
      body: { hosts: '127.0.0.1', port: 9092, schemaRegistry: { enabled: true, url: inUrl.href } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INVALID_INPUT');
    expect(refused.body.error.details.problems).toEqual([
      { path: 'schemaRegistry.url', message: expect.stringMatching(/account and password fields/) },
    ]);
    expect(JSON.stringify(refused.body)).not.toContain('in-the-url');

    const redirecting = await startFakeRegistry((_request, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/subjects` });
      response.end();
    });
    closers.push(() => redirecting.close());
    const elsewhereBefore = elsewhere.requests.length;
    const redirected = await api('/api/connectivity/destination', {
      method: 'POST',
      body: {
        hosts: '127.0.0.1',
        port: 9092,
        schemaRegistry: {
          enabled: true,
          url: redirecting.url,
          user: 'registry-user',
          password: 'not-for-the-redirect',
        },
      },
    });
    expect(redirected.status).toBe(200);
    expect(redirected.body.schemaRegistry.isReachable).toBe(false);
    expect(redirected.body.schemaRegistry.message).toMatch(/redirect/i);
    expect(redirecting.requests).toHaveLength(1);
    expect(elsewhere.requests.slice(elsewhereBefore)).toEqual([]);
  });

  it('does not echo what a URL given as the registry answers', async () => {
    const marker = `private-${randomBytes(6).toString('hex')}`;
    const pages = await startFakeRegistry((request, response) => {
      if (request.url?.startsWith('/json')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error_code: 40401, message: `${marker} in JSON` }));
      } else {
        response.writeHead(500, { 'content-type': 'text/html' });
        response.end(`<html><body>internal page ${marker}</body></html>`);
      }
    });
    closers.push(() => pages.close());
    for (const [url, status] of [
      [pages.url, /HTTP 500/],
      [`${pages.url}/json`, /HTTP 404/],
    ] as const) {
      const answer = await api('/api/connectivity/destination', {
        method: 'POST',
        body: { hosts: '127.0.0.1', port: 9092, schemaRegistry: { enabled: true, url } },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.schemaRegistry.isReachable).toBe(false);
      expect(answer.body.schemaRegistry.message).toMatch(status);
      expect(JSON.stringify(answer.body.schemaRegistry)).not.toContain(marker);
    }
  });
});

describe('URLs the API returns', () => {
  it('masks userinfo and tokens in webhook URLs, and keeps the stored URLs when the masked ones come back', async () => {
    const slack = 'https://hooks.example.com/services/T0001/B0002/abcdEFGH1234ijklMNOP5678';
    const withSecrets = 'https://ops:hunter2@alerts.example.net/notify?token=tok-9f8e7d&channel=db';
    const id = await createTask({
      source: storedSource,
      destination: plainKafka,
      advanced: {
        alerts: { enabled: true, latencyThresholdSeconds: 60, contacts: [slack, withSecrets] },
      },
    });
    const masked = [
      'https://hooks.example.com/services/T0001/B0002/***',
      'https://***@alerts.example.net/notify?token=***&channel=***',
    ];
    const details = (await api(`/api/tasks/${id}`)).body.task;
    expect(details.config.advanced.alerts.contacts).toEqual(masked);
    const listed = JSON.stringify((await api('/api/tasks')).body);
    for (const secret of ['abcdEFGH1234ijklMNOP5678', 'hunter2', 'tok-9f8e7d']) {
      expect(listed).not.toContain(secret);
      expect(JSON.stringify(details)).not.toContain(secret);
    }

    // The console sends the masked URLs back when it saves the draft: the real ones stay.
    const resaved = await api(`/api/tasks/${id}`, {
      method: 'PATCH',
      body: {
        advanced: {
          ...details.config.advanced,
          alerts: {
            ...details.config.advanced.alerts,
            contacts: [...masked, 'https://hooks.example.org/new'],
          },
        },
      },
    });
    expect(resaved.status, JSON.stringify(resaved.body)).toBe(200);
    expect(resaved.body.task.config.advanced.alerts.contacts).toEqual([
      ...masked,
      'https://hooks.example.org/new',
    ]);
    const stored = await storedConfigText(id);
    expect(stored).toContain(slack);
    expect(JSON.parse(stored).advanced.alerts.contacts).toEqual([
      slack,
      withSecrets,
      'https://hooks.example.org/new',
    ]);
  });
});

describe('the wizard', () => {
  it('asks for the saved password again beside its field after the host changes, and takes the registry account in its own fields', async () => {
    const registry = await startFakeRegistry(registryAnswer);
    closers.push(() => registry.close());
    const id = await createTask({ source: storedSource, destination: plainKafka });
    const browser = await launchBrowser();
    try {
      const page = await openPage(browser);
      await signIn(page, `/tasks/new?draft=${id}&step=1`);
      const source = page.getByRole('region', { name: 'Source database' });
      const password = source.getByLabel('Database password');
      await expect.poll(() => password.getAttribute('placeholder')).toBe('unchanged');

      await source.getByLabel('Host').fill('localhost');
      await page.getByRole('button', { name: 'Test Connectivity and Proceed' }).click();
      await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
      const message = source.locator('[data-field-error]');
      await expect.poll(() => message.textContent()).toMatch(/Enter the password again.*host/);
      await screenshot(page, 'stored-secrets-wizard', '01-password-needed-after-host-change');
      await expectAccessible(page, 'wizard step 1 asking for the password again');

      // Back to the saved host, with a registry account: the draft saves without retyping.
      await source.getByLabel('Host').fill(SOURCE_ROOT.host);
      const destination = page.getByRole('region', { name: 'Destination: Apache Kafka' });
      await destination.getByRole('radio', { name: 'Yes' }).check();
      await destination.getByLabel('Schema registry URL').fill(registry.url);
      await destination.getByLabel('Schema registry account').fill('wizard-user');
      await destination.getByLabel('Schema registry password').fill('wizard-pw');
      await screenshot(page, 'stored-secrets-wizard', '02-registry-account');
      await page.getByRole('button', { name: 'Test Connectivity and Proceed' }).click();
      await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
      await closePage(page);
    } finally {
      await browser.close();
    }
    expect(registry.requests.map((request) => request.authorization)).toEqual([
      basicAuth('wizard-user', 'wizard-pw'),
    ]);
    const saved = (await api(`/api/tasks/${id}`)).body.task.config;
    expect(saved.source).toMatchObject({ host: SOURCE_ROOT.host, hasPassword: true });
    expect(saved.destination.schemaRegistry).toEqual({
      enabled: true,
      url: registry.url,
      user: 'wizard-user',
      hasPassword: true,
    });
  });
});
