import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createServer } from 'node:net';
import { isTidewaterError, TidewaterError } from '@tidewater/errors';
import {
  createDatabase,
  createOperatorRepository,
  ensureAdminOperator,
  migrateDatabase,
  type Database,
} from '@tidewater/db';
import { repoRoot } from './paths';
import { ensureStackUp, seedDemoSource, stackEndpoints } from './index';

/**
 * `npm run quickstart`: the whole product on one machine. Brings the stack up (Docker Compose
 * when a Docker engine answers, the native stack otherwise), applies the database migrations,
 * seeds the demo source, builds the console, starts it on port 3000 with one worker, creates
 * a demo task, and prints what to open. Ctrl-C stops the console and the worker; the stack
 * keeps running until `npm run stack -- down`.
 */

const WEB_PORT = Number(process.env.PORT ?? 3000);

function say(message: string): void {
  process.stdout.write(`\x1b[1m[quickstart]\x1b[0m ${message}\n`);
}

function hasDockerEngine(): boolean {
  if (process.env.TIDEWATER_NATIVE_STACK === '1') return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return result.status === 0;
}

function run(command: string, args: string[], cwd = repoRoot): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: quickstartEnv() });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

function quickstartEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
}

function startChild(name: string, command: string, args: string[], cwd: string): ChildProcess {
  const child = spawn(command, args, {
    cwd,
    env: quickstartEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[2m[${name}]\x1b[0m `;
  const relay = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line) stream.write(`${prefix}${line}\n`);
  };
  child.stdout?.on('data', relay(process.stdout));
  child.stderr?.on('data', relay(process.stderr));
  return child;
}

async function waitForConsole(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/sign-in`);
      if (response.ok) return;
    } catch {
      // Not listening yet: keep waiting until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`The console did not answer on ${url} within ${timeoutMs / 1000} s.`);
}

/** Creates the demo task through the API, with an API token of admin's revoked right after. */
async function createDemoTask(url: string, db: Database): Promise<void> {
  const operators = createOperatorRepository(db);
  const admin = await db.operator.findUniqueOrThrow({ where: { username: 'admin' } });
  const { token, apiToken } = await operators.createApiToken(admin.id, 'quickstart demo task');
  try {
    await postDemoTask(url, token);
  } finally {
    await operators.revokeApiToken(admin.id, apiToken.id);
  }
}

async function postDemoTask(url: string, token: string): Promise<void> {
  const authorization = `Bearer ${token}`;
  const { tasks } = (await (
    await fetch(`${url}/api/tasks`, { headers: { authorization } })
  ).json()) as { tasks: unknown[] };
  if (tasks.length > 0) return;
  const { mariadb, kafka } = stackEndpoints;
  const [host, port] = (kafka.brokers[0] ?? '127.0.0.1:9092').split(':');
  const response = await fetch(`${url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({
      name: 'demo_shop to Kafka',
      source: {
        type: 'mariadb',
        host: mariadb.host,
        port: mariadb.port,
        user: mariadb.user,
        password: mariadb.password,
      },
      destination: { hosts: host, port: Number(port ?? 9092), topic: 'demo_shop' },
    }),
  });
  if (!response.ok) throw new Error(`Creating the demo task failed: ${await response.text()}`);
}

/** Fails early, with the way out, when something already listens on the console's port. */
async function assertPortFree(port: number): Promise<void> {
  const isFree = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
  if (!isFree) {
    throw new TidewaterError('QUICKSTART_PORT_IN_USE', `Port ${port} is already in use.`, {
      category: 'unavailable',
      remedy: `Stop what listens on ${port} (a console started earlier?), or run PORT=<free port> npm run quickstart.`,
    });
  }
}

async function main(): Promise<void> {
  if (hasDockerEngine()) {
    say('A Docker engine answers: starting the stack and the product with docker compose.');
    run('docker', ['compose', 'up', '-d', '--build']);
    say(`Open http://localhost:${WEB_PORT} (docker compose logs -f web worker to follow).`);
    return;
  }
  say('No Docker engine: starting the native stack (first run downloads Kafka and the registry).');
  const statuses = await ensureStackUp();
  for (const status of statuses) say(`  ${status.name.padEnd(9)} up  ${status.endpoint}`);
  await seedDemoSource();
  say(`Demo source seeded: database ${stackEndpoints.mariadb.demoDatabase}.`);
  const migration = await migrateDatabase(stackEndpoints.postgres.url);
  say(`Database migrated (${migration.applied.length} new migration(s)).`);
  const db = createDatabase(stackEndpoints.postgres.url);
  const admin = await ensureAdminOperator(db);
  if (admin.isCreated && admin.isGenerated) {
    say(`Created the first operator: user "${admin.username}", password ${admin.password}`);
    say('  Shown this once: note it now, and change it on the Account page after signing in.');
  } else if (admin.isCreated) {
    say(`Created the first operator "${admin.username}" with TIDEWATER_ADMIN_PASSWORD.`);
  }
  await assertPortFree(WEB_PORT);
  say('Building the console…');
  run('npm', ['run', 'build', '-w', '@tidewater/web']);

  const children = [
    startChild(
      'web',
      process.execPath,
      ['--import', 'tsx', 'server.ts', '--port', String(WEB_PORT)],
      path.join(repoRoot, 'apps/web'),
    ),
    startChild(
      'worker',
      process.execPath,
      ['--import', 'tsx', 'apps/worker/src/main.ts'],
      repoRoot,
    ),
  ];
  let isStopping = false;
  const stop = () => {
    if (isStopping) return;
    isStopping = true;
    say('Stopping the console and the worker (the stack keeps running: npm run stack -- down).');
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const child of children) {
    child.on('exit', (code) => {
      if (!isStopping) {
        say(`A process exited unexpectedly (code ${code}); stopping.`);
        stop();
        process.exitCode = 1;
      }
    });
  }

  const url = `http://localhost:${WEB_PORT}`;
  await waitForConsole(url);
  await createDemoTask(url, db);
  await db.$disconnect();
  say('');
  say(`Tidewater is running. Open ${url} and sign in as "admin".`);
  say('  Data Migration: the task list (a demo task from demo_shop to Kafka is there).');
  say(`  System:         ${url}/system shows the health of every service.`);
  say('Press Ctrl-C to stop the console and the worker.');
}

main().catch((error: unknown) => {
  if (isTidewaterError(error)) {
    process.stderr.write(`\n${error.code}: ${error.message}\n  How to fix: ${error.remedy}\n`);
  } else {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
