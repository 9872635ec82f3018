import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createServer } from 'node:net';
import { isTidewaterError, TidewaterError } from '@tidewater/errors';
import { createDatabase, ensureAdminOperator, migrateDatabase, type Database } from '@tidewater/db';
import { createDemoTask, demoTaskEndpoints } from './demo-task';
import { repoRoot } from './paths';
import { ensureStackUp, seedDemoSource, stackEndpoints } from './index';

/**
 * `npm run quickstart`: the whole product on one machine. With a Docker engine, Docker Compose
 * builds the image and runs the stack, the migrations, the console and a worker; without one,
 * the native stack comes up, and the production build (`npm run build`) of the console and of
 * one worker runs here. Either way the demo source is seeded, the demo task created, and what
 * to open printed. Natively, Ctrl-C stops the console and the worker; the stack keeps running
 * until `npm run stack -- down` (`docker compose down` under Docker).
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
  // kafkajs 2.2.4 sets a timer from a negative delay, which Node.js 24 clamps to 1 ms (as 20 did)
  // and now warns about: silenced as in the image (Dockerfile).
  const nodeOptions = [process.env.NODE_OPTIONS, '--disable-warning=TimeoutNegativeWarning'];
  return {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_OPTIONS: nodeOptions.filter(Boolean).join(' '),
  };
}

function startChild(
  name: string,
  command: string,
  args: string[],
  cwd: string,
  environment: Record<string, string> = {},
): ChildProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...quickstartEnv(), ...environment },
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

/** The console creates the first operator on its first API request (apps/web/lib/auth.ts). */
async function waitForAdmin(url: string, db: Database, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await fetch(`${url}/api/tasks`).catch(() => undefined);
    if (await db.operator.findUnique({ where: { username: 'admin' } })) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`The console created no operator "admin" within ${timeoutMs / 1000} s.`);
}

/** Docker Compose: the image's web, worker and migrate commands beside the stack's services. */
async function startWithCompose(): Promise<void> {
  say('A Docker engine answers: building the image and starting everything with docker compose.');
  run('docker', ['compose', 'up', '-d', '--build']);
  // Compose publishes the same ports as the native stack on 127.0.0.1.
  await seedDemoSource();
  say(`Demo source seeded: database ${stackEndpoints.mariadb.demoDatabase} (service mysql).`);
  const url = `http://localhost:${WEB_PORT}`;
  await waitForConsole(url, 300_000);
  const db = createDatabase(stackEndpoints.postgres.url);
  try {
    await waitForAdmin(url, db);
    // The worker runs in the compose network: the task names the services as it sees them.
    if (await createDemoTask(url, db, demoTaskEndpoints('compose', stackEndpoints))) {
      say('Created the demo task (source mysql:3306, Kafka kafka:19092).');
    }
  } finally {
    await db.$disconnect();
  }
  const passwordFile = '/var/lib/tidewater/initial-admin-password';
  say('');
  say(`Tidewater is running. Open ${url} and sign in as "admin".`);
  say(`  First password: written once to ${passwordFile} in the web container:`);
  say(`    docker compose exec web cat ${passwordFile}`);
  say('  (read it, change it on the Account page, then delete the file).');
  say('  Data Migration: the task list (a demo task from demo_shop to Kafka is there).');
  say('Follow: docker compose logs -f web worker. Stop: docker compose down.');
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
    await startWithCompose();
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
  say('Building the console and the worker (npm run build)…');
  run('npm', ['run', 'build', '-w', '@tidewater/web', '-w', '@tidewater/worker']);

  // The production build, as the image runs it (README, "Production build").
  const children = [
    startChild(
      'web',
      process.execPath,
      ['server.mjs', '--port', String(WEB_PORT)],
      path.join(repoRoot, 'apps/web/.next/standalone/apps/web'),
    ),
    // The worker's launcher (its memory settings), with the Node.js that runs this script.
    startChild('worker', 'sh', ['apps/worker/dist/start.sh'], repoRoot, {
      TIDEWATER_NODE: process.execPath,
    }),
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
  await createDemoTask(url, db, demoTaskEndpoints('native', stackEndpoints));
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
