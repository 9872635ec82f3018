import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
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
} from '@tidewater/web/testing';

/**
 * The product as an operator runs it, for the CLI's tests: the built web app (`server.ts`)
 * and one worker, on the CLI tests' own database and queue prefix, against the local stack.
 * Mirrors the e2e global setup, with an API token for the CLI.
 */

export interface RunningWebApp {
  baseUrl: string;
  apiToken: string;
  stop(): Promise<void>;
}

const webDir = path.join(repoRoot, 'apps/web');

export async function startWebApp(): Promise<RunningWebApp> {
  // A database of this run's own, dropped at the end: another run at the same time (another
  // checkout's tests, with other migrations) must neither see nor change it.
  const isPrivateDatabase = process.env.TIDEWATER_CLI_TEST_DATABASE_URL === undefined;
  const databaseUrl =
    process.env.TIDEWATER_CLI_TEST_DATABASE_URL ??
    `postgresql://postgres@127.0.0.1:5432/tidewater_cli_${randomBytes(4).toString('hex')}_test`;
  await migrateDatabase(databaseUrl);
  const apiToken = await prepareDatabase(databaseUrl);
  await buildWebIfStale();

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TIDEWATER_QUEUE_PREFIX: `tw-cli-${randomBytes(4).toString('hex')}`,
    // Any free port for the worker's /livez, /readyz, /metrics: test runs share the machine.
    TIDEWATER_WORKER_HTTP_PORT: '0',
    TIDEWATER_SECRET_KEY: randomBytes(32).toString('base64'),
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
  };
  const started: StartedProcess[] = [];
  const stop = async () => {
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
    await waitFor('the web app to answer', async () => {
      if (web.child.exitCode !== null) throw new Error(`web exited:\n${web.output()}`);
      const response = await fetch(`${baseUrl}/api/auth/session`, {
        headers: { authorization: `Bearer ${apiToken}` },
      });
      return response.ok ? true : undefined;
    });
    await waitFor('the worker to start', async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      return worker.output().includes('worker started') ? true : undefined;
    });
    return { baseUrl, apiToken, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts from no tasks (the database is the CLI tests' own) and returns an API token of the
 * first operator, `admin`, created as the quickstart does when missing.
 */
async function prepareDatabase(databaseUrl: string): Promise<string> {
  if (!/_test(\?|$)/.test(new URL(databaseUrl).pathname)) {
    throw new Error(
      `Refusing to clear ${new URL(databaseUrl).pathname}: test databases end in _test.`,
    );
  }
  const db = createDatabase(databaseUrl);
  try {
    await db.$executeRawUnsafe('TRUNCATE task, worker_heartbeat CASCADE');
    await ensureAdminOperator(db, { password: randomBytes(18).toString('base64url') });
    const admin = await db.operator.findUniqueOrThrow({ where: { username: 'admin' } });
    const { token } = await createOperatorRepository(db).createApiToken(admin.id, 'cli tests');
    return token;
  } finally {
    await db.$disconnect();
  }
}

/**
 * Runs `next build` unless the last build is newer than every source it depends on. The
 * build folder is shared with the e2e tests (and anyone building in the same checkout): when
 * another build is running, wait for it and look again.
 */
async function buildWebIfStale(): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const buildId = path.join(webDir, '.next/BUILD_ID');
    const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
    const newest = Math.max(newestMtime(webDir), newestMtime(path.join(repoRoot, 'packages')));
    if (builtAt > newest) return;
    const build = spawnSync(path.join(repoRoot, 'node_modules/.bin/next'), ['build'], {
      cwd: webDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      encoding: 'utf8',
    });
    if (build.status === 0) return;
    const output = `${build.stdout}${build.stderr}`;
    if (
      !output.includes('Another next build process is already running') ||
      Date.now() > deadline
    ) {
      throw new Error(`next build failed:\n${output.slice(-8000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.next', 'test', 'e2e', 'bench', '.turbo', 'cli'].includes(entry.name)) {
      continue;
    }
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(tsx?|css|json|prisma)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}
