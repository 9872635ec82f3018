import { execFile } from 'node:child_process';
import { freePort } from '../src/free-port';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ensureStackUp,
  probeService,
  readStackEndpoints,
  serviceNames,
  stackEndpoints,
  stackStatus,
} from '../src/index';
import type { StackEndpoints } from '../src/index';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A port nothing listens on: bound by us, then released. */

function endpointsWith(overrides: NodeJS.ProcessEnv): StackEndpoints {
  return readStackEndpoints({ ...process.env, ...overrides });
}

/** Runs the real CLI; returns its exit code and output. */
async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await execFileAsync('npx', ['tsx', 'packages/stack/src/cli.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout };
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'number') {
      const stderr = 'stderr' in error ? String(error.stderr) : '';
      return {
        code: error.code,
        stdout: `${'stdout' in error ? String(error.stdout) : ''}${stderr}`,
      };
    }
    throw error;
  }
}

function runStatusCli(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return runCli(['status'], env);
}

describe('stack status', () => {
  // An HTTP server that is not a schema registry: it answers 404 to everything.
  let foreignHttp: Server;
  let foreignHttpPort: number;
  let deadPort: number;

  beforeAll(async () => {
    await ensureStackUp();
    foreignHttp = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not a registry');
    });
    await new Promise<void>((resolve) => foreignHttp.listen(0, '127.0.0.1', resolve));
    foreignHttpPort = (foreignHttp.address() as AddressInfo).port;
    deadPort = await freePort();
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => foreignHttp.close(() => resolve()));
  });

  it('reports every service of the running stack up, with what answered', async () => {
    const statuses = await stackStatus();
    expect(statuses.map((status) => status.name)).toEqual([...serviceNames]);
    for (const status of statuses) {
      expect({ name: status.name, isUp: status.isUp, detail: status.detail }).toMatchObject({
        isUp: true,
      });
    }
    const byName = Object.fromEntries(statuses.map((status) => [status.name, status]));
    expect(byName.mariadb?.detail).toMatch(/MariaDB.*binlog ROW/);
    expect(byName.kafka?.detail).toContain('SASL, SSL and SASL_SSL logins ok');
    expect(byName.postgres?.detail).toMatch(/^PostgreSQL/);
  });

  it('reports each service down when nothing listens on its port', async () => {
    const endpoints = endpointsWith({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${deadPort}/tidewater`,
      REDIS_URL: `redis://127.0.0.1:${deadPort}`,
      TIDEWATER_SOURCE_PORT: String(deadPort),
      TIDEWATER_KAFKA_BROKERS: `127.0.0.1:${deadPort}`,
      TIDEWATER_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${deadPort}/apis/ccompat/v7`,
    });
    const statuses = await stackStatus(serviceNames, endpoints);
    for (const status of statuses) {
      expect({ name: status.name, isUp: status.isUp }).toEqual({ name: status.name, isUp: false });
      expect(status.detail).toMatch(/refused|ECONNREFUSED/);
    }
  });

  it('reports a service down when a different server answers on its port', async () => {
    const live = stackEndpoints;
    const redisPort = new URL(live.redis.url).port || '6379';
    const postgresPort = new URL(live.postgres.url).port || '5432';
    const cases: [Parameters<typeof probeService>[0], NodeJS.ProcessEnv][] = [
      // PostgreSQL probe against the MariaDB source, and the other way round.
      ['postgres', { DATABASE_URL: `postgresql://postgres@127.0.0.1:${live.mariadb.port}/x` }],
      ['mariadb', { TIDEWATER_SOURCE_PORT: postgresPort }],
      // Kafka probe against Redis; the SASL listener alone pointing elsewhere is enough.
      ['kafka', { TIDEWATER_KAFKA_BROKERS: `127.0.0.1:${redisPort}` }],
      ['kafka', { TIDEWATER_KAFKA_SASL_BROKERS: `127.0.0.1:${deadPort}` }],
      // Redis probe against an HTTP server.
      ['redis', { REDIS_URL: `redis://127.0.0.1:${foreignHttpPort}` }],
      // Registry probe against an HTTP server that is not a registry, and against Kafka.
      ['registry', { TIDEWATER_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${foreignHttpPort}/x` }],
      ['registry', { TIDEWATER_SCHEMA_REGISTRY_URL: `http://${live.kafka.brokers[0]}/x` }],
    ];
    for (const [name, env] of cases) {
      const result = await probeService(name, endpointsWith(env));
      expect({ name, env, isUp: result.isUp }).toEqual({ name, env, isUp: false });
      expect(result.detail).not.toBe('');
    }
  });

  it('reports a MariaDB without the binlog down: answering is not enough', async () => {
    // The machine's own MariaDB on 3306 runs with the binlog off (or refuses our root login).
    const result = await probeService('mariadb', endpointsWith({ TIDEWATER_SOURCE_PORT: '3306' }));
    expect(result.isUp).toBe(false);
  });

  it('exits non-zero from `stack status` when a service is down, zero when all are up', async () => {
    const allUp = await runStatusCli({});
    expect(allUp.code).toBe(0);
    expect(allUp.stdout).toMatch(/^registry\s+up\s/m);

    const registryDown = await runStatusCli({
      TIDEWATER_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${deadPort}/apis/ccompat/v7`,
    });
    expect(registryDown.code).toBe(1);
    expect(registryDown.stdout).toMatch(/^registry\s+down\s.*refused/m);
    expect(registryDown.stdout).toMatch(/^kafka\s+up\s/m);
  });

  it('reports a throwaway source MariaDB up while it runs and down once stopped', async () => {
    // A second instance of our own, in its own stack directory on a free port, so the shared
    // stack other test files use is never disturbed.
    const stackDir = mkdtempSync(join(tmpdir(), 'tidewater-stack-test-'));
    const env = { TIDEWATER_STACK_DIR: stackDir, TIDEWATER_SOURCE_PORT: String(await freePort()) };
    try {
      const up = await runCli(['up', 'mariadb'], env);
      expect(up.stdout).toMatch(/^mariadb\s+up\s/m);
      expect(up.code).toBe(0);
      const running = await runCli(['status', 'mariadb'], env);
      expect(running.code).toBe(0);
      expect(running.stdout).toMatch(
        new RegExp(
          `^mariadb\\s+up\\s+127\\.0\\.0\\.1:${env.TIDEWATER_SOURCE_PORT}\\s.*binlog ROW`,
          'm',
        ),
      );

      const down = await runCli(['down', 'mariadb'], env);
      expect(down.stdout).toMatch(/^mariadb\s+stopped/m);
      const stopped = await runCli(['status', 'mariadb'], env);
      expect(stopped.code).toBe(1);
      expect(stopped.stdout).toMatch(/^mariadb\s+down\s.*refused/m);
      // The shared source is untouched.
      expect((await probeService('mariadb', stackEndpoints)).isUp).toBe(true);
    } finally {
      await runCli(['down', 'mariadb'], env);
      rmSync(stackDir, { recursive: true, force: true });
    }
  });
});
