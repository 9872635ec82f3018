import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parsePrometheusText, startPrivateRedis, type PrivateRedis } from '@tidewater/test-kit';
import { freePort, repoRoot, startProcess, waitFor, type StartedProcess } from './harness';
import { api, baseUrl } from './session';

/**
 * The console's operations endpoints over HTTP, against the built app (server.ts): the probes
 * answer without a session, /metrics with the metrics token alone, its text parsed by a
 * third-party Prometheus parser; and a console of its own whose Redis is taken away.
 */

const started: StartedProcess[] = [];
let redis: PrivateRedis | undefined;

afterAll(async () => {
  await Promise.all(started.map((process) => process.stop()));
  redis?.kill();
});

async function scrape(base = baseUrl()) {
  const response = await fetch(`${base}/metrics`, {
    headers: { authorization: `Bearer ${inject('metricsToken')}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe('the console operations endpoints', () => {
  it('answers /livez and /readyz without a session or a redirect to sign-in', async () => {
    const live = await fetch(`${baseUrl()}/livez`, { redirect: 'manual' });
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ isAlive: true });
    expect(live.headers.get('cache-control')).toBe('no-store');

    const ready = await fetch(`${baseUrl()}/readyz`, { redirect: 'manual' });
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      isReady: boolean;
      checks: Array<{ name: string; isUp: boolean }>;
    };
    expect(body.isReady).toBe(true);
    expect(body.checks.map((check) => [check.name, check.isUp])).toEqual([
      ['postgresql', true],
      ['redis', true],
    ]);
  });

  it('serves /metrics only with the metrics token: fleet figures, queue depths, requests, process', async () => {
    expect((await fetch(`${baseUrl()}/metrics`, { redirect: 'manual' })).status).toBe(401);
    // A signed-in operator's API token is not the metrics token.
    expect(
      (
        await fetch(`${baseUrl()}/metrics`, {
          headers: { authorization: `Bearer ${inject('apiToken')}` },
        })
      ).status,
    ).toBe(401);

    const first = await scrape();
    expect(first.value('tidewater_control_read_ok')).toBe(1);
    expect(first.value('tidewater_queue_read_ok')).toBe(1);
    expect(first.value('tidewater_workers_alive')).toBeGreaterThanOrEqual(1);
    expect(first.value('tidewater_queue_jobs', { queue: 'run', state: 'waiting' })).toBe(0);
    expect(first.value('process_resident_memory_bytes', { service: 'web' })).toBeGreaterThan(0);
    const createdBefore = first.value('tidewater_tasks', { status: 'created' }) ?? 0;
    const answered = (scrape: ReturnType<typeof parsePrometheusText>) =>
      scrape.value('tidewater_http_requests_total', { method: 'GET', code: '200' }) ?? 0;

    // A new task and a few answered requests move the figures.
    const created = await api('/api/tasks', {
      method: 'POST',
      body: {
        name: `metrics ${randomBytes(3).toString('hex')}`,
        source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
        destination: { hosts: '127.0.0.1', port: 9092, topic: 'tw-metrics-probe' },
        objects: [{ kind: 'database', database: 'tw_metrics_probe' }],
      },
    });
    expect(created.status).toBe(201);
    for (let index = 0; index < 3; index++) await fetch(`${baseUrl()}/livez`);
    const second = await scrape();
    expect(second.value('tidewater_tasks', { status: 'created' })).toBe(createdBefore + 1);
    expect(answered(second)).toBeGreaterThanOrEqual(answered(first) + 3);
    // Labels carry no secrets: neither token appears anywhere in the text.
    const text = await (
      await fetch(`${baseUrl()}/metrics`, {
        headers: { authorization: `Bearer ${inject('metricsToken')}` },
      })
    ).text();
    expect(text).not.toContain(inject('metricsToken'));
    expect(text).not.toContain(inject('apiToken'));
  });

  it('turns not ready, naming Redis and no password, when its Redis goes away; still live; logs JSON', async () => {
    redis = await startPrivateRedis();
    const port = await freePort();
    const web = startProcess(
      process.execPath,
      ['--import', 'tsx', 'server.ts', '--port', String(port), '--hostname', '127.0.0.1'],
      {
        cwd: path.join(repoRoot, 'apps/web'),
        env: {
          ...process.env,
          DATABASE_URL: inject('databaseUrl'),
          REDIS_URL: redis.url,
          TIDEWATER_QUEUE_PREFIX: inject('queuePrefix'),
          TIDEWATER_SECRET_KEY: randomBytes(32).toString('base64'),
          TIDEWATER_LOG_LEVEL: 'debug',
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_ENV: 'production',
        },
      },
    );
    started.push(web);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      'the second console to be ready',
      async () => {
        if (web.child.exitCode !== null) throw new Error(`web exited:\n${web.output()}`);
        return (await fetch(`${base}/readyz`)).status === 200 ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
    // No token configured here: /metrics is open.
    expect((await fetch(`${base}/metrics`)).status).toBe(200);

    redis.kill();
    const answer = await waitFor('the console to report Redis down', async () => {
      const response = await fetch(`${base}/readyz`);
      return response.status === 503 ? response : undefined;
    });
    const text = await answer.text();
    expect(text).not.toContain(redis.password);
    const body = JSON.parse(text) as {
      isReady: boolean;
      checks: Array<{ name: string; isUp: boolean }>;
    };
    expect(body.isReady).toBe(false);
    expect(body.checks.find((check) => check.name === 'redis')?.isUp).toBe(false);
    expect(body.checks.find((check) => check.name === 'postgresql')?.isUp).toBe(true);
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const metrics = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(metrics.value('tidewater_queue_read_ok')).toBe(0);
    expect(metrics.value('tidewater_control_read_ok')).toBe(1);

    // Its log: the one JSON line shape, service "web", the Redis outage included. Next.js
    // prints a line of its own while it loads its configuration; from our first line on,
    // every line is one of ours.
    const output = web.output();
    const lines = output
      .slice(output.indexOf('{"time"'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        expect(() => JSON.parse(line) as unknown, line).not.toThrow();
        return JSON.parse(line) as Record<string, unknown>;
      });
    for (const line of lines) expect(line.service).toBe('web');
    expect(lines.some((line) => line.message === 'Redis connection lost; reconnecting')).toBe(true);
    const listening = lines.find((line) =>
      String(line.message).startsWith('Tidewater console listening'),
    );
    expect(listening).toMatchObject({ level: 'info', service: 'web' });
    expect(Object.keys(listening!).slice(0, 4)).toEqual(['time', 'level', 'service', 'message']);
    expect(web.output()).not.toContain(redis.password);
  });
});
