import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID, item, summary } from './api-fixtures';
import type { PrecheckItem, TaskDetails } from './api-types';
import { runCli, type Runtime } from './commands';

interface Call {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
}

type Route = (call: Call) => Response | Promise<Response>;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** A runtime whose API answers from `routes` ("GET /api/tasks" → handler) and records calls. */
function fakeRuntime(
  routes: Record<string, Route>,
  options: { confirm?: boolean | null; sleepsBeforeCtrlC?: number } = {},
) {
  const calls: Call[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const interrupt = new AbortController();
  let sleeps = 0;
  const runtime: Runtime = {
    env: { TIDEWATER_URL: 'http://console.test:3000', TIDEWATER_TOKEN: 'tw_token' },
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    confirm: async () => options.confirm ?? null,
    signal: interrupt.signal,
    sleep: async (_ms, signal) => {
      sleeps += 1;
      if (options.sleepsBeforeCtrlC !== undefined && sleeps >= options.sleepsBeforeCtrlC) {
        interrupt.abort();
      }
      if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    },
    now: () => new Date(2025, 2, 1, 12, 0, 0),
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const call: Call = {
        method: init?.method ?? 'GET',
        path: url.pathname + url.search,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
        authorization: new Headers(init?.headers).get('authorization'),
      };
      calls.push(call);
      const route = routes[`${call.method} ${url.pathname}`];
      return route ? route(call) : new Response('<html>Not found</html>', { status: 404 });
    },
  };
  return { runtime, calls, stdout: () => stdout.join('\n'), stderr: () => stderr.join('\n') };
}

function details(overrides: Partial<TaskDetails> = {}): TaskDetails {
  return {
    ...summary(),
    tables: [],
    precheck: { items: [], successRate: 0, isComplete: false },
    metricHistory: [],
    events: [],
    alerts: [],
    ...overrides,
  };
}

const notFound = () =>
  json(
    {
      error: {
        code: 'TASK_NOT_FOUND',
        message: `There is no task with id nope.`,
        remedy: 'List the tasks (GET /api/tasks) and use one of their ids.',
        details: {},
      },
    },
    404,
  );

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tidewater-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCli', () => {
  it('sends the token as a bearer token and prints the API error with its remedy', async () => {
    const fake = fakeRuntime({ 'GET /api/tasks/nope': notFound });
    expect(await runCli(['show', 'nope'], fake.runtime)).toBe(3);
    expect(fake.calls).toEqual([
      { method: 'GET', path: '/api/tasks/nope', body: undefined, authorization: 'Bearer tw_token' },
    ]);
    expect(fake.stderr()).toBe(
      'Error TASK_NOT_FOUND: There is no task with id nope.\nHow to fix: List the tasks (GET /api/tasks) and use one of their ids.',
    );
    expect(fake.stdout()).toBe('');
  });

  it('prints the error body as JSON with --json', async () => {
    const fake = fakeRuntime({ 'GET /api/tasks/nope': notFound });
    expect(await runCli(['show', 'nope', '--json'], fake.runtime)).toBe(3);
    expect(JSON.parse(fake.stderr())).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
  });

  it('maps a refused token to exit code 5', async () => {
    const fake = fakeRuntime({
      'GET /api/tasks': () =>
        json(
          {
            error: {
              code: 'API_TOKEN_INVALID',
              message: 'The API token is not valid (or was revoked).',
              remedy: 'Create a new API token on the Account page.',
              details: {},
            },
          },
          401,
        ),
    });
    expect(await runCli(['list'], fake.runtime)).toBe(5);
    expect(fake.stderr()).toContain('Error API_TOKEN_INVALID');
  });

  it('says which URL it could not reach', async () => {
    const fake = fakeRuntime({});
    fake.runtime.fetch = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      });
    };
    expect(await runCli(['list'], fake.runtime)).toBe(6);
    expect(fake.stderr()).toMatch(
      /^Error API_UNREACHABLE: Cannot reach the Tidewater API at http:\/\/console\.test:3000\/ \(connection refused\)\./,
    );
    expect(fake.stderr()).not.toMatch(/^\s+at /m);
  });

  it('reports an answer that is not the API, e.g. a wrong --url', async () => {
    const fake = fakeRuntime({});
    expect(await runCli(['list'], fake.runtime)).toBe(3);
    expect(fake.stderr()).toMatch(
      /^Error API_UNEXPECTED_ANSWER: GET \/api\/tasks at http:\/\/console\.test:3000 answered HTTP 404/,
    );
  });

  it('validates a task file before sending anything', async () => {
    const file = path.join(dir, 'task.yaml');
    await writeFile(file, 'source:\n  type: oracle\n  host: db\n  user: u\n');
    const fake = fakeRuntime({});
    expect(await runCli(['create', '-f', file], fake.runtime)).toBe(2);
    expect(fake.calls).toEqual([]);
    expect(fake.stderr()).toContain(
      'Error FILE_INVALID: task.yaml: source.type: Choose PolarDB-X 2.0, MySQL or MariaDB.',
    );
    expect(fake.stderr()).toContain('  destination: This field is required.');
  });

  it('creates a task from a file and says what to do next', async () => {
    const file = path.join(dir, 'task.json');
    const config = {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'tidewater' },
      destination: { hosts: '127.0.0.1', topic: 'demo' },
      objects: [{ kind: 'database', database: 'demo_shop' }],
    };
    await writeFile(file, JSON.stringify(config));
    const fake = fakeRuntime({
      'POST /api/tasks': () => json({ task: summary({ status: 'created' }) }, 201),
    });
    expect(await runCli(['create', '-f', file], fake.runtime)).toBe(0);
    expect(fake.calls[0]?.body).toEqual(config);
    expect(fake.stdout()).toBe(
      `Created task demo shop (${ID}).\nNext: tidewater precheck ${ID} --wait`,
    );
  });

  it('lists with the status and search filters as query parameters', async () => {
    const fake = fakeRuntime({ 'GET /api/tasks': () => json({ tasks: [summary()] }) });
    expect(await runCli(['list', '--status', 'running', '--search', 'shop'], fake.runtime)).toBe(0);
    expect(fake.calls[0]?.path).toBe('/api/tasks?status=running&search=shop');
    expect(fake.stdout()).toContain('demo shop');
  });
});

describe('precheck --wait', () => {
  const pass = (key: string, position: number): PrecheckItem =>
    item({ key, name: key, position, status: 'pass', message: 'ok' });
  const pending = (key: string, position: number): PrecheckItem =>
    item({ key, name: key, position, status: 'pending', message: '', finishedAt: null });

  function precheckApi(answers: TaskDetails[]) {
    let reads = 0;
    return {
      // The items of the previous run, which the worker has not reset yet.
      'POST /api/tasks/t1/precheck': () =>
        json(
          {
            precheck: { items: [pass('old.item', 0)], successRate: 100, isComplete: true },
          },
          202,
        ),
      'GET /api/tasks/t1': () => json({ task: answers[Math.min(reads++, answers.length - 1)] }),
    };
  }

  it('prints only this run’s items, each once, and exits 0 at 100%', async () => {
    const fake = fakeRuntime(
      precheckApi([
        details({
          id: 't1',
          status: 'prechecking',
          precheck: { items: [pass('old.item', 0)], successRate: 100, isComplete: true },
        }),
        details({
          id: 't1',
          status: 'prechecking',
          precheck: { items: [pass('a', 0), pending('b', 1)], successRate: 50, isComplete: false },
        }),
        details({
          id: 't1',
          status: 'precheck_passed',
          precheck: { items: [pass('a', 0), pass('b', 1)], successRate: 100, isComplete: true },
        }),
      ]),
    );
    expect(await runCli(['precheck', 't1', '--wait'], fake.runtime)).toBe(0);
    const lines = fake.stdout().split('\n');
    expect(lines.filter((line) => line.startsWith('[ pass ]'))).toEqual([
      '[ pass ]  a: ok',
      '[ pass ]  b: ok',
    ]);
    expect(fake.stdout()).not.toContain('old.item');
    expect(fake.stdout()).toContain('Passed. Start it with: tidewater start t1 --class');
  });

  it('exits 7 when the precheck finishes below 100%, naming how to fix', async () => {
    const failed = item({
      key: 'source.binlog_format',
      name: 'Binlog format',
      status: 'fail',
      message: 'binlog_format is STATEMENT.',
      remedy: 'SET GLOBAL binlog_format = ROW.',
    });
    const fake = fakeRuntime(
      precheckApi([
        details({
          id: 't1',
          status: 'precheck_failed',
          statusReason: 'Precheck success rate 0%.',
          precheck: { items: [failed], successRate: 0, isComplete: true },
        }),
      ]),
    );
    expect(await runCli(['precheck', 't1', '--wait'], fake.runtime)).toBe(7);
    expect(fake.stdout()).toContain('[ FAIL ]  Binlog format: binlog_format is STATEMENT.');
    expect(fake.stdout()).toContain('How to fix: SET GLOBAL binlog_format = ROW.');
    expect(fake.stdout()).toContain('Precheck: 0% success, 1 items, 1 failed');
  });

  it('stops waiting on Ctrl-C with exit code 130', async () => {
    const fake = fakeRuntime(
      precheckApi([
        details({
          id: 't1',
          status: 'prechecking',
          precheck: { items: [pending('a', 0)], successRate: 0, isComplete: false },
        }),
      ]),
      { sleepsBeforeCtrlC: 2 },
    );
    expect(await runCli(['precheck', 't1', '--wait'], fake.runtime)).toBe(130);
    expect(fake.stderr()).toContain('Error INTERRUPTED');
  });
});

describe('release', () => {
  const api = () => ({
    'GET /api/tasks/t1': () => json({ task: details({ id: 't1' }) }),
    'POST /api/tasks/t1/release': () => json({ task: summary({ id: 't1', status: 'released' }) }),
  });

  it('asks first, and does nothing when the answer is no', async () => {
    const fake = fakeRuntime(api(), { confirm: false });
    expect(await runCli(['release', 't1'], fake.runtime)).toBe(1);
    expect(fake.calls.map((call) => call.method)).toEqual(['GET']);
    expect(fake.stderr()).toBe('Not released.');
  });

  it('refuses without a terminal to ask on unless --yes', async () => {
    const refused = fakeRuntime(api(), { confirm: null });
    expect(await runCli(['release', 't1'], refused.runtime)).toBe(2);
    expect(refused.stderr()).toContain('How to fix: Add --yes to release without asking.');
    expect(refused.calls.some((call) => call.method === 'POST')).toBe(false);

    const confirmed = fakeRuntime(api(), { confirm: null });
    expect(await runCli(['release', 't1', '--yes'], confirmed.runtime)).toBe(0);
    expect(confirmed.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/tasks/t1/release',
    ]);
    expect(confirmed.stdout()).toBe('Released task demo shop (t1).');
  });
});

describe('start', () => {
  const api = () => ({
    'GET /api/tasks/t1': () => json({ task: details({ id: 't1', status: 'precheck_passed' }) }),
    'POST /api/tasks/t1/start': () => json({ task: summary({ id: 't1', status: 'running' }) }),
  });

  it('sends the acceptance of the terms with --accept-terms, without asking', async () => {
    const fake = fakeRuntime(api(), { confirm: null });
    expect(await runCli(['start', 't1', '--class', 'small', '--accept-terms'], fake.runtime)).toBe(
      0,
    );
    expect(fake.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/tasks/t1/start',
    ]);
    expect(fake.calls[0]?.body).toEqual({ instanceClass: 'small', acceptTerms: true });
  });

  it('asks on the terminal otherwise, and starts only on yes', async () => {
    const accepted = fakeRuntime(api(), { confirm: true });
    expect(await runCli(['start', 't1', '--class', 'small'], accepted.runtime)).toBe(0);
    expect(accepted.calls.at(-1)?.body).toEqual({ instanceClass: 'small', acceptTerms: true });

    const declined = fakeRuntime(api(), { confirm: false });
    expect(await runCli(['start', 't1', '--class', 'small'], declined.runtime)).toBe(1);
    expect(declined.calls.map((call) => call.method)).toEqual(['GET']);
    expect(declined.stderr()).toBe('Not started: the terms were not accepted.');
  });

  it('refuses without a terminal to ask on, sending nothing', async () => {
    const fake = fakeRuntime(api(), { confirm: null });
    expect(await runCli(['start', 't1', '--class', 'small'], fake.runtime)).toBe(2);
    expect(fake.stderr()).toMatch(/^Error TERMS_NOT_ACCEPTED: /);
    expect(fake.stderr()).toContain('How to fix: Add --accept-terms');
    expect(fake.calls.some((call) => call.method === 'POST')).toBe(false);
  });
});

/** C0 and C1 control characters and DEL, except the newlines the CLI prints itself. */
function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
  });
}

describe('text from the server', () => {
  it('prints names and errors without the control characters they were stored with', async () => {
    const fake = fakeRuntime({
      'GET /api/tasks': () =>
        json({ tasks: [summary({ id: 't1', name: 'evil\u001b[2J\u009b31m\r\nforged' })] }),
      'GET /api/tasks/t2': () =>
        json(
          {
            error: {
              code: 'TASK_NOT_FOUND',
              message: 'There is no task with id \u001b]0;title\u0007t2.',
              remedy: 'List\rthe tasks.',
              details: {},
            },
          },
          404,
        ),
    });
    expect(await runCli(['list'], fake.runtime)).toBe(0);
    expect(fake.stdout()).toContain('evil[2J31m  forged');
    expect(await runCli(['show', 't2'], fake.runtime)).toBe(3);
    expect(fake.stderr()).toBe(
      'Error TASK_NOT_FOUND: There is no task with id ]0;titlet2.\nHow to fix: List the tasks.',
    );
    expect(hasControlCharacter(fake.stdout() + fake.stderr())).toBe(false);
  });
});

describe('status --watch', () => {
  it('prints a line per refresh until Ctrl-C, then exits 0', async () => {
    const fake = fakeRuntime(
      { 'GET /api/tasks/t1': () => json({ task: details({ id: 't1' }) }) },
      { sleepsBeforeCtrlC: 3 },
    );
    expect(await runCli(['status', 't1', '--watch'], fake.runtime)).toBe(0);
    const lines = fake.stdout().split('\n');
    expect(lines[0]).toBe('Task demo shop (t1); Ctrl-C to stop watching.');
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines[1]).toContain('Running · full data migration  42%');
  });

  it('ends by itself when the task is completed', async () => {
    const fake = fakeRuntime({
      'GET /api/tasks/t1': () => json({ task: details({ id: 't1', status: 'completed' }) }),
    });
    expect(await runCli(['status', 't1', '--watch', '--json'], fake.runtime)).toBe(0);
    expect(JSON.parse(fake.stdout())).toMatchObject({ id: 't1', status: 'completed' });
  });

  it('keeps watching while the console is briefly unreachable', async () => {
    let reads = 0;
    const fake = fakeRuntime({
      'GET /api/tasks/t1': () =>
        reads++ === 0
          ? json(
              {
                error: {
                  code: 'SERVICE_UNAVAILABLE',
                  message: 'Down.',
                  remedy: 'Wait.',
                  details: {},
                },
              },
              503,
            )
          : json({ task: details({ id: 't1', status: 'completed' }) }),
    });
    expect(await runCli(['status', 't1', '--watch'], fake.runtime)).toBe(0);
    expect(fake.stderr()).toContain('Error SERVICE_UNAVAILABLE: Down.');
    expect(fake.stdout()).toContain('Completed');
  });
});

describe('connectivity tests', () => {
  it('exits 6 when the source cannot be reached, with the reason', async () => {
    const file = path.join(dir, 'source.yaml');
    await writeFile(file, 'type: mysql\nhost: db.internal\nuser: app\npassword: secret\n');
    const fake = fakeRuntime({
      'POST /api/connectivity/source': () =>
        json({
          isReachable: false,
          error: {
            code: 'SOURCE_AUTH_FAILED',
            message: 'Access denied for app.',
            remedy: 'Check the password.',
          },
        }),
    });
    expect(await runCli(['test-source', '-f', file], fake.runtime)).toBe(6);
    expect(fake.calls[0]?.body).toEqual({
      type: 'mysql',
      host: 'db.internal',
      user: 'app',
      password: 'secret',
    });
    expect(fake.stdout()).toContain('Error SOURCE_AUTH_FAILED: Access denied for app.');
  });
});

describe('help', () => {
  it('prints usage on request, and exits 2 when no command is given', async () => {
    const asked = fakeRuntime({});
    expect(await runCli(['--help'], asked.runtime)).toBe(0);
    expect(asked.stdout()).toContain('Usage: tidewater <command>');
    const bare = fakeRuntime({});
    expect(await runCli([], bare.runtime)).toBe(2);
    expect(bare.stderr()).toContain('Usage: tidewater <command>');
  });
});

describe('the rest of the console', () => {
  it('edits a task with the fields of the file as written, so absent ones keep their value', async () => {
    const file = path.join(dir, 'changes.yaml');
    await writeFile(file, 'name: renamed\nsource: { port: 3308 }\n');
    const fake = fakeRuntime({
      [`PATCH /api/tasks/${ID}`]: () =>
        json({ task: summary({ name: 'renamed', status: 'created' }) }),
    });
    expect(await runCli(['edit', ID, '-f', file], fake.runtime)).toBe(0);
    // Not `tls` or any other default of the source: those would overwrite the stored ones.
    expect(fake.calls.map((call) => [call.method, call.body])).toEqual([
      ['PATCH', { name: 'renamed', source: { port: 3308 } }],
    ]);
    expect(fake.stdout()).toBe(
      `Changed task renamed (${ID}); it is created now.\nNext: tidewater precheck ${ID} --wait`,
    );
  });

  it('checks an edit file against the task configuration before sending it', async () => {
    const file = path.join(dir, 'bad-changes.yaml');
    await writeFile(file, 'format: xml\nsource: { prot: 3307 }\n');
    const fake = fakeRuntime({});
    expect(await runCli(['edit', ID, '-f', file], fake.runtime)).toBe(2);
    expect(fake.calls).toEqual([]);
    expect(fake.stderr()).toContain('Error FILE_INVALID: bad-changes.yaml:');
    expect(fake.stderr()).toContain('  source.prot: ');
    expect(fake.stderr()).toContain('  format: ');
  });

  it('lists the source objects with their estimates', async () => {
    const fake = fakeRuntime({
      [`GET /api/tasks/${ID}/source-objects`]: () =>
        json({
          databases: [
            {
              name: 'shop',
              tables: [
                { name: 'orders', type: 'table', estimatedRows: 120_000, dataBytes: 9_437_184 },
                { name: 'open_orders', type: 'view', estimatedRows: null, dataBytes: null },
              ],
            },
            { name: 'empty', tables: [] },
          ],
        }),
    });
    expect(await runCli(['objects', ID], fake.runtime)).toBe(0);
    expect(fake.stdout()).toBe(
      [
        'DATABASE  TABLE        TYPE   ~ROWS    SIZE',
        'shop      orders       table  120,000  9.0 MB',
        'shop      open_orders  view   -        -',
        'Databases without tables: empty',
      ].join('\n'),
    );
  });

  it('checks a filter: exit 0 with the SQL when valid, 2 with the reason when not', async () => {
    let answer: unknown = { isValid: true, sql: '`id` > 1', error: null };
    const fake = fakeRuntime({ [`POST /api/tasks/${ID}/filters`]: () => json(answer) });
    expect(await runCli(['check-filter', ID, 'shop', 'orders', 'id > 1'], fake.runtime)).toBe(0);
    expect(fake.calls[0]?.body).toEqual({ database: 'shop', table: 'orders', filter: 'id > 1' });
    expect(fake.stdout()).toBe(
      'The filter is valid on shop.orders; Tidewater runs it as:\n  WHERE `id` > 1',
    );
    answer = {
      isValid: false,
      sql: null,
      error: { code: 'FILTER_UNKNOWN_COLUMN', message: 'No column nope.', remedy: 'Use a column.' },
    };
    const refused = fakeRuntime({ [`POST /api/tasks/${ID}/filters`]: () => json(answer) });
    expect(await runCli(['check-filter', ID, 'shop', 'orders', 'nope = 1'], refused.runtime)).toBe(
      2,
    );
    expect(refused.stdout()).toBe(
      'The filter is not valid on shop.orders.\nError FILTER_UNKNOWN_COLUMN: No column nope.\nHow to fix: Use a column.',
    );
  });

  it('creates, lists and revokes API tokens', async () => {
    const token = {
      id: 'tok-1',
      name: 'ci',
      prefix: 'tw_abcd',
      createdAt: '2025-03-01T10:00:00.000Z',
      lastUsedAt: null,
      expiresAt: '2025-03-31T10:00:00.000Z',
    };
    const fake = fakeRuntime({
      'POST /api/auth/tokens': () => json({ token: 'tw_secret', apiToken: token }, 201),
      'GET /api/auth/tokens': () => json({ tokens: [token] }),
      'DELETE /api/auth/tokens/tok-1': () => json({ isRevoked: true }),
    });
    expect(await runCli(['tokens', 'create', 'ci', '--days', '30'], fake.runtime)).toBe(0);
    expect(await runCli(['tokens', 'list'], fake.runtime)).toBe(0);
    expect(await runCli(['tokens', 'revoke', 'tok-1'], fake.runtime)).toBe(0);
    expect(fake.calls.map((call) => [call.method, call.path, call.body])).toEqual([
      ['POST', '/api/auth/tokens', { name: 'ci', expiresInDays: 30 }],
      ['GET', '/api/auth/tokens', undefined],
      ['DELETE', '/api/auth/tokens/tok-1', undefined],
    ]);
    expect(fake.stdout()).toBe(
      [
        'Created API token ci (tok-1), valid until 2025-03-31 10:00:00 UTC.',
        'Its secret, shown this once (keep it like a password; use it as TIDEWATER_TOKEN):',
        'tw_secret',
        'ID     NAME  PREFIX    CREATED (UTC)        LAST USED (UTC)  EXPIRES (UTC)',
        'tok-1  ci    tw_abcd…  2025-03-01 10:00:00  -                2025-03-31 10:00:00',
        'Revoked API token tok-1.',
      ].join('\n'),
    );
  });

  it('prints the system health and exits 6 when a service is down', async () => {
    const fake = fakeRuntime({
      'GET /api/system/health': () =>
        json({
          isHealthy: false,
          services: [
            {
              name: 'postgresql',
              isUp: true,
              endpoint: 'postgresql://127.0.0.1:5432/tidewater',
              detail: 'SELECT 1 answered.',
              latencyMs: 3,
            },
            {
              name: 'kafka',
              isUp: false,
              endpoint: '127.0.0.1:9092',
              detail: 'Connection refused.',
              latencyMs: 1500,
            },
          ],
        }),
    });
    expect(await runCli(['health'], fake.runtime)).toBe(6);
    expect(fake.stdout()).toBe(
      [
        'A service is DOWN.',
        'SERVICE     STATE  LATENCY  ENDPOINT                               DETAIL',
        'postgresql  up     3 ms     postgresql://127.0.0.1:5432/tidewater  SELECT 1 answered.',
        'kafka       DOWN   1.5 s    127.0.0.1:9092                         Connection refused.',
      ].join('\n'),
    );
  });
});
