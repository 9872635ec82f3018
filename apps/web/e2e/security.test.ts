import { randomBytes, scryptSync } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, createOperatorRepository, signInThrottleKeys } from '@tidewater/db';
import { launchBrowser, screenshot } from './browser';
import { baseUrl } from './session';

/**
 * The console's security promises over HTTP, against the built app: request body limits, the
 * redirect after sign-in, the sign-in limiter, password hashing, API token lifetime and the
 * response headers. Requests leave from chosen loopback addresses (all of 127.0.0.0/8 reaches the
 * server): the global setup trusts `trustedProxy` (127.0.0.2) as a reverse proxy, so its
 * X-Forwarded-* headers count; any other address is a client talking to the console directly.
 */

const TWO_MIB = 2 * 1024 * 1024;
/** A direct client, and the address of each scenario that must not share limiter state. */
const CLIENT = {
  bodies: '127.0.0.11',
  redirects: '127.0.0.12',
  burst: '127.0.0.13',
  spoofer: '127.0.0.14',
  owner: '127.0.0.15',
  backoff: '127.0.0.16',
  passwords: '127.0.0.17',
  headers: '127.0.0.18',
} as const;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = Record<string, any>>(): T;
}

/**
 * One HTTP request from `from` (a local address). A chunked body has no Content-Length, so
 * the server can only find its size by reading it.
 */
function send(options: {
  from: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  isChunked?: boolean;
}): Promise<Answer> {
  const target = new URL(baseUrl());
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string> = { ...options.headers };
  if (body && !options.isChunked) headers['content-length'] = String(body.length);
  if (body && options.isChunked) headers['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    let isAnswered = false;
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? (body ? 'POST' : 'GET'),
        path: options.path,
        localAddress: options.from,
        headers,
        agent: false,
      },
      (response) => {
        isAnswered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
          // The server may answer before it read the whole body; stop sending it.
          request.destroy();
        });
      },
    );
    request.on('error', (error) => {
      // An error after the answer arrived is the server closing a body it refused to read.
      if (!isAnswered) reject(error);
    });
    if (!body) {
      request.end();
      return;
    }
    if (!options.isChunked) {
      request.end(body);
      return;
    }
    const piece = 64 * 1024;
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length && !request.destroyed) {
        const chunk = body.subarray(offset, offset + piece);
        offset += piece;
        if (!request.write(chunk)) {
          request.once('drain', writeMore);
          return;
        }
      }
      if (!request.destroyed) request.end();
    };
    writeMore();
  });
}

const origin = () => baseUrl();
const host = () => new URL(baseUrl()).host;

function signInAs(
  from: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return send({
    from,
    path: '/api/auth/sign-in',
    headers: { 'content-type': 'application/json', origin: origin(), ...headers },
    body: JSON.stringify({ username, password }),
  });
}

/** A sign-in through the configured reverse proxy for the client `address`. */
function signInVia(address: string, username: string, password: string) {
  return signInAs(inject('trustedProxy'), username, password, { 'x-forwarded-for': address });
}

function sessionCookie(answer: Answer): string {
  const cookie = (answer.headers['set-cookie'] ?? []).find((item) =>
    item.startsWith('tidewater_session='),
  );
  if (!cookie) throw new Error(`no session cookie in ${answer.status} ${answer.text}`);
  return cookie.split(';')[0] ?? '';
}

function statusCounts(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** SQL for what a test sets up or inspects directly; the database of the running console. */
let sql: pg.Client;
let database: ReturnType<typeof createDatabase>;
let browser: Browser | undefined;

async function createOperator(prefix: string, password: string) {
  return createOperatorRepository(database).createOperator(unique(prefix), password);
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: inject('databaseUrl') });
  await sql.connect();
  database = createDatabase(inject('databaseUrl'));
});

afterAll(async () => {
  await browser?.close();
  await database?.$disconnect();
  await sql?.end();
});

describe('request body limits', () => {
  it('answers 413 to a 2 MiB sign-in body, declared or chunked, and keeps answering', async () => {
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(TWO_MIB) });
    for (const isChunked of [false, true]) {
      const answer = await send({
        from: CLIENT.bodies,
        path: '/api/auth/sign-in',
        headers: { 'content-type': 'application/json', origin: origin() },
        body: big,
        isChunked,
      });
      expect({ isChunked, status: answer.status }).toEqual({ isChunked, status: 413 });
      expect(answer.json().error.code).toBe('REQUEST_TOO_LARGE');
      expect(answer.json().error.remedy).toMatch(/1 MiB/);
    }
    const after = await signInAs(CLIENT.bodies, 'nobody-here', 'wrong');
    expect(after.status).toBe(401);
  });

  it('answers 413 to a 2 MiB body on a task route, declared or chunked', async () => {
    const token = `Bearer ${inject('apiToken')}`;
    const created = await send({
      from: CLIENT.bodies,
      path: '/api/tasks',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({
        name: unique('body-limit'),
        source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
        destination: { hosts: '127.0.0.1', port: 9092, topic: 'tidewater-body-limit' },
      }),
    });
    expect(created.status).toBe(201);
    const id = created.json().task.id as string;
    const big = JSON.stringify({ database: 'd', table: 't', filter: 'x'.repeat(TWO_MIB) });
    for (const isChunked of [false, true]) {
      const answer = await send({
        from: CLIENT.bodies,
        path: `/api/tasks/${id}/filters`,
        headers: { 'content-type': 'application/json', authorization: token },
        body: big,
        isChunked,
      });
      expect({ isChunked, status: answer.status }).toEqual({ isChunked, status: 413 });
      expect(answer.json().error.code).toBe('REQUEST_TOO_LARGE');
    }
  });
});

describe('the redirect after sign-in', () => {
  /** Raw query strings for `/sign-in?next=`: each would leave the site if followed as given. */
  const OFF_SITE = [
    '/%09/evil.example',
    '/%0a/evil.example',
    '/%0d%0a/evil.example',
    '/%09%09/evil.example',
    '%2F%09%2Fevil.example',
    '//evil.example',
    '%2F%2Fevil.example',
    '/%5Cevil.example',
    '%5C%5Cevil.example',
    '/%5C/evil.example',
    '/\\evil.example',
    'https:evil.example',
    'https://evil.example',
    'https%3A%2F%2Fevil.example',
    '//evil.example@tidewater',
    'javascript:alert(1)',
    '%20//evil.example',
  ];

  it('keeps every `next` target on this site (tabs, newlines, backslashes, schemes, encodings)', async () => {
    const operator = await createOperator('redirects', 'redirect-test-password');
    const cookie = sessionCookie(
      await signInAs(CLIENT.redirects, operator.username, 'redirect-test-password'),
    );
    const leaks: string[] = [];
    for (const next of OFF_SITE) {
      const answer = await send({
        from: CLIENT.redirects,
        path: `/sign-in?next=${next}`,
        headers: { cookie },
      });
      const location = String(answer.headers.location ?? '');
      const target = new URL(location, baseUrl());
      if (answer.status < 300 || answer.status > 399 || target.origin !== origin()) {
        leaks.push(`${next} -> ${answer.status} ${JSON.stringify(location)}`);
      }
    }
    expect(leaks).toEqual([]);

    // A path on this site, with its query, is kept.
    const kept = await send({
      from: CLIENT.redirects,
      path: `/sign-in?next=${encodeURIComponent('/tasks?status=running')}`,
      headers: { cookie },
    });
    expect(new URL(String(kept.headers.location), baseUrl()).href).toBe(
      `${origin()}/tasks?status=running`,
    );
  });

  it('stays on this site after signing in through the form with next=/%09/evil.example, without a CSP violation', async () => {
    const operator = await createOperator('form', 'form-test-password');
    browser ??= await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Collected from the page itself; the listener is installed before any page script runs.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => {
        seen.push(
          `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
        );
      });
    });
    const offSite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin())) offSite.push(request.url());
    });
    await page.goto(`${baseUrl()}/sign-in?next=/%09/evil.example`);
    await page.getByLabel('User name').fill(operator.username);
    await page.getByLabel('Password').fill('form-test-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/tasks');
    await page.getByRole('heading', { name: 'Data Migration' }).waitFor();
    await screenshot(page, 'security', '01-signed-in-on-site');
    expect(new URL(page.url()).origin).toBe(origin());
    expect(offSite).toEqual([]);
    expect(
      await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
    ).toEqual([]);
    await context.close();
  });
});

describe('the sign-in limiter', () => {
  it('lets at most 5 of 20 parallel wrong attempts for one account from one address reach the password check', async () => {
    const username = unique('burst');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => signInAs(CLIENT.burst, username, 'wrong-password')),
    );
    expect(statusCounts(answers)).toEqual({ 401: 5, 429: 15 });
    const limited = answers.find((answer) => answer.status === 429);
    expect(limited?.json().error.code).toBe('SIGN_IN_RATE_LIMITED');
    expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('ignores X-Forwarded-For unless the peer is a configured proxy', async () => {
    // A direct client cannot escape its lock by inventing a new address for each attempt.
    const target = unique('spoofed');
    const spoofed: number[] = [];
    for (let index = 1; index <= 6; index += 1) {
      const answer = await signInAs(CLIENT.spoofer, target, 'wrong-password', {
        'x-forwarded-for': `198.51.100.${index}`,
      });
      spoofed.push(answer.status);
    }
    expect(spoofed).toEqual([401, 401, 401, 401, 401, 429]);

    // Through the configured proxy, the forwarded address is the client: a lock on one
    // client address does not hold another.
    const username = unique('proxied');
    const fromA: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      fromA.push((await signInVia('203.0.113.7', username, 'wrong-password')).status);
    }
    expect(fromA).toEqual([401, 401, 401, 401, 401]);
    expect((await signInVia('203.0.113.7', username, 'wrong-password')).status).toBe(429);
    expect((await signInVia('203.0.113.8', username, 'wrong-password')).status).toBe(401);
  });

  it('lets the owner sign in from another address while an attacker is locked out', async () => {
    const owner = await createOperator('owner', 'owner-test-password');
    const attacker = '198.51.100.66';
    const attempts: number[] = [];
    for (let index = 0; index < 8; index += 1) {
      attempts.push((await signInVia(attacker, owner.username, `guess-${index}`)).status);
    }
    expect(attempts).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Locked even with the right password: a lock that gave way to it would confirm guesses.
    expect((await signInVia(attacker, owner.username, 'owner-test-password')).status).toBe(429);

    expect((await signInVia('203.0.113.40', owner.username, 'owner-test-password')).status).toBe(
      200,
    );
    expect((await signInAs(CLIENT.owner, owner.username, 'owner-test-password')).status).toBe(200);
  });

  it('ends each lock after its backoff, doubling it per further failure up to 15 minutes', async () => {
    const username = unique('backoff');
    const key = signInThrottleKeys(username, CLIENT.backoff).account;
    const wrong = () => signInAs(CLIENT.backoff, username, 'wrong-password');
    const retryAfter = (answer: Answer) => Number(answer.headers['retry-after']);
    const endLock = () =>
      sql.query('UPDATE sign_in_throttle SET blocked_until = now() WHERE key = $1', [key]);

    for (let index = 0; index < 5; index += 1) expect((await wrong()).status).toBe(401);
    const first = await wrong();
    expect(first.status).toBe(429);
    expect(retryAfter(first)).toBeGreaterThan(0);
    expect(retryAfter(first)).toBeLessThanOrEqual(60);

    await endLock();
    expect((await wrong()).status).toBe(401);
    const second = await wrong();
    expect(second.status).toBe(429);
    expect(retryAfter(second)).toBeGreaterThan(60);
    expect(retryAfter(second)).toBeLessThanOrEqual(120);

    // However many failures came before, a lock lasts at most 15 minutes.
    await sql.query('UPDATE sign_in_throttle SET failures = 40 WHERE key = $1', [key]);
    await endLock();
    expect((await wrong()).status).toBe(401);
    const capped = await wrong();
    expect(capped.status).toBe(429);
    expect(retryAfter(capped)).toBeGreaterThan(600);
    expect(retryAfter(capped)).toBeLessThanOrEqual(900);
  });
});

describe('passwords and API tokens', () => {
  it('rehashes a password stored with scrypt N=2^15 at the next sign-in', async () => {
    const operator = await createOperator('rehash', 'rehash-test-password');
    const salt = randomBytes(16);
    const old = scryptSync('rehash-test-password', salt, 64, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    const oldHash = `scrypt$32768$8$1$${salt.toString('base64url')}$${old.toString('base64url')}`;
    await sql.query('UPDATE operator SET password_hash = $1 WHERE id = $2', [oldHash, operator.id]);
    const before = await sql.query('SELECT password_changed_at FROM operator WHERE id = $1', [
      operator.id,
    ]);

    expect(
      (await signInAs(CLIENT.passwords, operator.username, 'rehash-test-password')).status,
    ).toBe(200);
    const after = await sql.query(
      'SELECT password_hash, password_changed_at FROM operator WHERE id = $1',
      [operator.id],
    );
    expect(after.rows[0].password_hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(after.rows[0].password_changed_at).toEqual(before.rows[0].password_changed_at);
    expect(
      (await signInAs(CLIENT.passwords, operator.username, 'rehash-test-password')).status,
    ).toBe(200);
    expect((await signInAs(CLIENT.passwords, operator.username, 'not-it-at-all')).status).toBe(401);
  });

  it('refuses an API token past its expiry, and records when each token was last used', async () => {
    const operator = await createOperator('expiry', 'expiry-test-password');
    const cookie = sessionCookie(
      await signInAs(CLIENT.passwords, operator.username, 'expiry-test-password'),
    );
    const create = (body: Record<string, unknown>) =>
      send({
        from: CLIENT.passwords,
        path: '/api/auth/tokens',
        headers: { 'content-type': 'application/json', origin: origin(), cookie },
        body: JSON.stringify(body),
      });
    const withDefault = await create({ name: 'default lifetime' });
    expect(withDefault.status).toBe(201);
    const days = (iso: string) => (Date.parse(iso) - Date.now()) / 86_400_000;
    expect(days(withDefault.json().apiToken.expiresAt)).toBeCloseTo(90, 0);
    const short = await create({ name: 'one week', expiresInDays: 7 });
    expect(days(short.json().apiToken.expiresAt)).toBeCloseTo(7, 0);
    expect((await create({ name: 'forever', expiresInDays: 100_000 })).status).toBe(400);

    const token = short.json().token as string;
    const use = () =>
      send({
        from: CLIENT.passwords,
        path: '/api/auth/session',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await use()).status).toBe(200);
    const listed = await send({
      from: CLIENT.passwords,
      path: '/api/auth/tokens',
      headers: { cookie },
    });
    const shown = listed
      .json()
      .tokens.find((item: { name: string }) => item.name === 'one week') as {
      lastUsedAt: string | null;
      expiresAt: string;
    };
    expect(shown.lastUsedAt).not.toBeNull();
    expect(Date.now() - Date.parse(shown.lastUsedAt ?? '')).toBeLessThan(60_000);

    await sql.query("UPDATE api_token SET expires_at = now() - interval '1 minute' WHERE id = $1", [
      short.json().apiToken.id,
    ]);
    const expired = await use();
    expect(expired.status).toBe(401);
    expect(expired.json().error.code).toBe('API_TOKEN_EXPIRED');
    expect(expired.json().error.remedy).toMatch(/new API token/);
  });

  it('revokes the operator’s API tokens when the password changes, and names them in the answer', async () => {
    const operator = await createOperator('revoke', 'revoke-test-password');
    const repository = createOperatorRepository(database);
    const ci = await repository.createApiToken(operator.id, 'ci');
    const laptop = await repository.createApiToken(operator.id, 'laptop');
    const others = await repository.createApiToken(
      (await createOperator('bystander', 'bystander-password')).id,
      'bystander ci',
    );
    const use = (token: string) =>
      send({
        from: CLIENT.passwords,
        path: '/api/auth/session',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await use(ci.token)).status).toBe(200);

    const changed = await send({
      from: CLIENT.passwords,
      path: '/api/auth/password',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ci.token}` },
      body: JSON.stringify({
        currentPassword: 'revoke-test-password',
        newPassword: 'revoke-test-password-2',
      }),
    });
    expect(changed.status).toBe(200);
    expect(
      changed
        .json()
        .revokedApiTokens.map((item: { name: string }) => item.name)
        .sort(),
    ).toEqual(['ci', 'laptop']);
    expect((await use(ci.token)).status).toBe(401);
    expect((await use(laptop.token)).status).toBe(401);
    expect((await use(others.token)).status).toBe(200);
  });
});

describe('response headers', () => {
  const csp = (answer: Answer) => String(answer.headers['content-security-policy'] ?? '');

  it('sends a CSP with frame-ancestors, nosniff and a referrer policy on pages and API answers', async () => {
    const page = await send({ from: CLIENT.headers, path: '/sign-in' });
    expect(page.status).toBe(200);
    expect(csp(page)).toMatch(/frame-ancestors 'none'/);
    expect(csp(page)).toMatch(/default-src 'self'/);
    expect(csp(page)).toMatch(/object-src 'none'/);
    expect(csp(page)).toMatch(/base-uri 'none'/);
    expect(csp(page)).toMatch(/form-action 'self'/);
    const scripts = /script-src ([^;]*)/.exec(csp(page))?.[1] ?? '';
    expect(scripts).toMatch(/'nonce-[\w+/=-]{16,}'/);
    expect(scripts).not.toMatch(/unsafe-inline|unsafe-eval/);
    // Each page gets its own nonce.
    const again = await send({ from: CLIENT.headers, path: '/sign-in' });
    expect(/'nonce-([^']+)'/.exec(csp(again))?.[1]).not.toBe(
      /'nonce-([^']+)'/.exec(csp(page))?.[1],
    );

    const redirect = await send({ from: CLIENT.headers, path: '/tasks' });
    const apiAnswer = await send({ from: CLIENT.headers, path: '/api/auth/session' });
    expect(apiAnswer.status).toBe(401);
    expect(csp(apiAnswer)).toBe("default-src 'none'; frame-ancestors 'none'");
    for (const answer of [page, redirect, apiAnswer]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('same-origin');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('sends HSTS and Secure cookies only over https as reported by a configured proxy', async () => {
    const hsts = (answer: Answer) => answer.headers['strict-transport-security'];
    const viaProxy = (proto: string) =>
      send({
        from: inject('trustedProxy'),
        path: '/sign-in',
        headers: { 'x-forwarded-for': '203.0.113.50', 'x-forwarded-proto': proto },
      });
    expect(hsts(await viaProxy('https'))).toBe('max-age=63072000; includeSubDomains');
    expect(hsts(await viaProxy('http'))).toBeUndefined();
    const spoofed = await send({
      from: CLIENT.headers,
      path: '/sign-in',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(hsts(spoofed)).toBeUndefined();

    const operator = await createOperator('https', 'https-test-password');
    const overHttps = await signInAs(
      inject('trustedProxy'),
      operator.username,
      'https-test-password',
      {
        'x-forwarded-for': '203.0.113.51',
        'x-forwarded-proto': 'https',
        origin: `https://${host()}`,
      },
    );
    expect(overHttps.status).toBe(200);
    expect(overHttps.headers['set-cookie']?.join('\n')).toMatch(/; secure/i);
    const claimed = await signInAs(CLIENT.headers, operator.username, 'https-test-password', {
      'x-forwarded-proto': 'https',
    });
    expect(claimed.status).toBe(200);
    expect(claimed.headers['set-cookie']?.join('\n')).not.toMatch(/; secure/i);
  });
});
