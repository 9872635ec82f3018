import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import {
  createDatabase,
  createOperatorRepository,
  ensureAdminOperator,
  migrateDatabase,
} from '@tidewater/db';
import {
  dropTestDatabase,
  freePort,
  repoRoot,
  startProcess,
  waitFor,
  type StartedProcess,
} from './harness';

/**
 * Starts the product as a user runs it: the built web app (`server.ts`) and one worker
 * process, on a test database and a private queue prefix, against the real local stack.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    databaseUrl: string;
    queuePrefix: string;
    /** The first operator's password (user `admin`), for tests that sign in. */
    adminPassword: string;
    /** An API token of `admin`, for tests that call the API with fetch(). */
    apiToken: string;
    /**
     * The one address the console trusts as a reverse proxy (TIDEWATER_TRUSTED_PROXIES):
     * requests sent from it may say who the client is in X-Forwarded-For.
     */
    trustedProxy: string;
    /** The bearer token GET /metrics asks for (TIDEWATER_METRICS_TOKEN of web and worker). */
    metricsToken: string;
  }
}

const ADMIN_PASSWORD = 'tidewater-e2e-admin';
/** A loopback address of its own: the tests' requests come from 127.0.0.1 unless they choose. */
const TRUSTED_PROXY = '127.0.0.2';
const METRICS_TOKEN = `metrics-${randomBytes(12).toString('hex')}`;

const webDir = path.join(repoRoot, 'apps/web');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A database of this run's own: its worker reconciles every running task of its database, and
  // another run at the same time (another checkout's tests) must neither see nor clear ours.
  const databaseUrl =
    process.env.TIDEWATER_TEST_DATABASE_URL ??
    `postgresql://postgres@127.0.0.1:5432/tidewater_${randomBytes(4).toString('hex')}_test`;
  const isPrivateDatabase = process.env.TIDEWATER_TEST_DATABASE_URL === undefined;
  await migrateDatabase(databaseUrl);
  await clearTestDatabase(databaseUrl);
  const apiToken = await createAdmin(databaseUrl);
  buildWebIfStale();

  const port = await freePort();
  const queuePrefix = `tw-test-${randomBytes(4).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TIDEWATER_QUEUE_PREFIX: queuePrefix,
    // Any free port for the worker's /livez, /readyz, /metrics: test runs share the machine.
    TIDEWATER_WORKER_HTTP_PORT: '0',
    TIDEWATER_SECRET_KEY: randomBytes(32).toString('base64'),
    TIDEWATER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TIDEWATER_TRUSTED_PROXIES: TRUSTED_PROXY,
    TIDEWATER_METRICS_TOKEN: METRICS_TOKEN,
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
  };
  const started: StartedProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((process) => process.stop()));
    if (isPrivateDatabase) await dropTestDatabase(databaseUrl);
  };
  try {
    const web = startProcess(
      process.execPath,
      ['--import', 'tsx', 'server.ts', '--port', String(port), '--hostname', '127.0.0.1'],
      { cwd: webDir, env },
    );
    started.push(web);
    const worker = startProcess(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: repoRoot,
      env,
    });
    started.push(worker);
    const baseUrl = `http://127.0.0.1:${port}`;
    // Generous: on a busy 2-core machine the first start of the built app can be slow.
    await waitFor(
      'the web app to answer',
      async () => {
        if (web.child.exitCode !== null) throw new Error(`web exited:\n${web.output()}`);
        const response = await fetch(`${baseUrl}/api/auth/session`, {
          headers: { authorization: `Bearer ${apiToken}` },
        }).catch((error: unknown) => {
          throw new Error(`${String(error)}; web output:\n${web.output().slice(-2000)}`);
        });
        if (response.ok) return true;
        throw new Error(`HTTP ${response.status}; web output:\n${web.output().slice(-2000)}`);
      },
      { timeoutMs: 180_000 },
    );
    await waitFor('the worker to start', async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      return worker.output().includes('worker started') ? true : undefined;
    });
    project.provide('baseUrl', baseUrl);
    project.provide('databaseUrl', databaseUrl);
    project.provide('queuePrefix', queuePrefix);
    project.provide('adminPassword', ADMIN_PASSWORD);
    project.provide('apiToken', apiToken);
    project.provide('trustedProxy', TRUSTED_PROXY);
    project.provide('metricsToken', METRICS_TOKEN);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/** Creates `admin` as the quickstart does, and an API token for the tests' fetch() calls. */
async function createAdmin(databaseUrl: string): Promise<string> {
  const db = createDatabase(databaseUrl);
  try {
    await ensureAdminOperator(db, { password: ADMIN_PASSWORD });
    const admin = await db.operator.findUniqueOrThrow({ where: { username: 'admin' } });
    const { token } = await createOperatorRepository(db).createApiToken(admin.id, 'e2e tests');
    return token;
  } finally {
    await db.$disconnect();
  }
}

/** Runs `next build` unless the last build is newer than every source it depends on. */
function buildWebIfStale(): void {
  const buildId = path.join(webDir, '.next/BUILD_ID');
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const sources = [webDir, path.join(repoRoot, 'packages')];
  const newest = Math.max(...sources.map((dir) => newestMtime(dir)));
  if (builtAt > newest) return;
  // Several test runs may share this checkout; `next build` refuses to run twice at once, so
  // builds take turns (flock waits for the lock).
  execFileSync(
    'flock',
    [
      path.join(os.tmpdir(), 'tidewater-next-build.lock'),
      path.join(repoRoot, 'node_modules/.bin/next'),
      'build',
    ],
    { cwd: webDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' },
  );
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.next', 'test', 'e2e', 'bench', '.turbo'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(tsx?|css|json|prisma)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * Each run starts from an empty task list and no sign-in failures; the test database is the
 * tests' own.
 */
async function clearTestDatabase(databaseUrl: string): Promise<void> {
  if (!/_test(\?|$)/.test(new URL(databaseUrl).pathname)) {
    throw new Error(
      `Refusing to clear ${new URL(databaseUrl).pathname}: test databases end in _test.`,
    );
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('TRUNCATE task, worker_heartbeat, operator, sign_in_throttle CASCADE');
  } finally {
    await client.end();
  }
}
