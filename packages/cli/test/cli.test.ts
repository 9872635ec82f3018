import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic } from '@tidewater/kafka-sink';
import { freePort, repoRoot, waitFor } from '@tidewater/web/testing';
import { startWebApp, type RunningWebApp } from './web-app';

/**
 * The real `tidewater` binary, as a child process, against the built web app and a worker on
 * the local stack (source MariaDB on 127.0.0.1:3307, Kafka on 127.0.0.1:9092).
 */

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/tidewater.mjs');
const SOURCE = { host: '127.0.0.1', port: Number(process.env.TIDEWATER_SOURCE_PORT ?? 3307) };
const KAFKA_HOST = '127.0.0.1';

let app: RunningWebApp;
let workDir: string;
let topic: string;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tidewater …` in a scratch folder with the app's URL and token in the environment. */
function tidewater(
  args: string[],
  env: Record<string, string | undefined> = {},
  command: { file: string; args: string[]; cwd?: string } = {
    file: process.execPath,
    args: [bin],
  },
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      command.file,
      [...command.args, ...args],
      {
        cwd: command.cwd ?? workDir,
        env: {
          ...process.env,
          TIDEWATER_URL: app.baseUrl,
          TIDEWATER_TOKEN: app.apiToken,
          ...env,
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
  });
}

function taskYaml(name: string): string {
  return [
    `name: ${name}`,
    'source:',
    '  type: mariadb',
    `  host: ${SOURCE.host}`,
    `  port: ${SOURCE.port}`,
    '  user: tidewater',
    '  password: tidewater',
    'destination:',
    `  hosts: ${KAFKA_HOST}`,
    '  port: 9092',
    `  topic: ${topic}`,
    'stages: { schema: true, full: true, incremental: true }',
    'format: canal-json',
    'objects:',
    '  - kind: database',
    '    database: demo_shop',
    '',
  ].join('\n');
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tidewater-cli-test-'));
  topic = `tw-cli-${randomBytes(4).toString('hex')}`;
  await createTopic(
    {
      hosts: KAFKA_HOST,
      port: 9092,
      encryption: 'none',
      tls: { enabled: false, rejectUnauthorized: true },
    },
    { topic, partitions: 3 },
  );
  app = await startWebApp();
}, 600_000);

afterAll(async () => {
  await app?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('tidewater against the running console', () => {
  let taskId: string;
  const name = `cli-demo-shop-${randomBytes(3).toString('hex')}`;

  it('creates a task from a YAML file', async () => {
    await writeFile(path.join(workDir, 'task.yaml'), taskYaml(name));
    const run = await tidewater(['create', '-f', 'task.yaml']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /^Created task (\S+) \(([0-9a-f-]{36})\)\.$/m.exec(run.stdout);
    expect(match?.[1]).toBe(name);
    taskId = match?.[2] ?? '';
    expect(run.stdout).toContain(`Next: tidewater precheck ${taskId} --wait`);
  });

  it('lists the task, in text and as JSON', async () => {
    const text = await tidewater(['list', '--search', name]);
    expect(text.code).toBe(0);
    const [header, row, ...rest] = text.stdout.trim().split('\n');
    expect(header).toMatch(/^ID +NAME +STATUS/);
    expect(row).toMatch(new RegExp(`^${taskId} +${name} +Created `));
    expect(rest).toEqual([]);

    const json = await tidewater(['list', '--status', 'created', '--json']);
    expect(json.code).toBe(0);
    const tasks = (JSON.parse(json.stdout) as { tasks: Array<{ id: string; status: string }> })
      .tasks;
    expect(tasks.find((task) => task.id === taskId)?.status).toBe('created');
  });

  it('shows the task with its stages and precheck', async () => {
    const run = await tidewater(['show', taskId]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Task ${name} (${taskId})`);
    expect(run.stdout).toMatch(/Status: +Created/);
    expect(run.stdout).toMatch(
      /Stages: +schema migration, full data migration, incremental data migration/,
    );
    expect(run.stdout).toMatch(
      new RegExp(`Destination: +127\\.0\\.0\\.1 \\(port 9092\\), topic ${topic}`),
    );
    expect(run.stdout).toContain('Precheck: not run yet.');
  });

  it('runs the precheck, prints each item as it finishes, and exits 0 at 100%', async () => {
    const run = await tidewater(['precheck', taskId, '--wait']);
    expect(run.stderr).toBe('');
    const items = run.stdout
      .split('\n')
      .filter((line) => /^\[( pass | warn |ignored| FAIL )\]/.test(line));
    expect(items.length).toBeGreaterThan(5);
    expect(new Set(items).size).toBe(items.length);
    expect(run.stdout).toContain('Precheck: 100% success');
    expect(run.stdout).toContain(`Passed. Start it with: tidewater start ${taskId} --class`);
    expect(run.code).toBe(0);

    const status = await tidewater(['status', taskId, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: taskId, status: 'precheck_passed' });
  });

  it('refuses to start without the terms accepted when there is no terminal to ask on', async () => {
    const run = await tidewater(['start', taskId, '--class', 'small']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Error TERMS_NOT_ACCEPTED: /);
    expect(run.stderr).toContain('--accept-terms');
    expect(run.stdout).toBe('');
    const status = await tidewater(['status', taskId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'precheck_passed' });
  });

  it('starts the task with --accept-terms and watches it live until Ctrl-C', async () => {
    const started = await tidewater(['start', taskId, '--class', 'small', '--accept-terms']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`Started task ${name} (${taskId}) with instance class small.`);
    const shown = await tidewater(['show', taskId]);
    expect(shown.stdout).toMatch(/Terms: +accepted by admin, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    const watch = spawn(process.execPath, [bin, 'status', taskId, '--watch'], {
      cwd: workDir,
      env: { ...process.env, TIDEWATER_URL: app.baseUrl, TIDEWATER_TOKEN: app.apiToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    watch.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    watch.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once('exit', resolve));
    // Two refreshes, 2 s apart: the header and two status lines.
    await waitFor('two status lines', async () =>
      stdout.split('\n').filter((line) => /^\d\d:\d\d:\d\d {2}/.test(line)).length >= 2
        ? true
        : undefined,
    );
    watch.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`Task ${name} (${taskId}); Ctrl-C to stop watching.`);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d {2}(Running|Completed)/);
  });

  it('pauses and resumes the running task', async () => {
    const paused = await tidewater(['pause', taskId]);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toBe(`Paused task ${name} (${taskId}).\n`);
    const status = await tidewater(['status', taskId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'paused' });

    const resumed = await tidewater(['resume', taskId]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(`Resumed task ${name} (${taskId}).\n`);
  });

  it('refuses an action the task state does not allow with exit code 4', async () => {
    const run = await tidewater(['resume', taskId]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^Error TASK_STATE_CONFLICT: /);
    expect(run.stderr).toMatch(/\nHow to fix: /);
  });

  it('releases the task only with a confirmation (--yes without a terminal)', async () => {
    const refused = await tidewater(['release', taskId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Error CONFIRMATION_REQUIRED');
    const released = await tidewater(['release', taskId, '--yes']);
    expect(released.code).toBe(0);
    expect(released.stdout).toBe(`Released task ${name} (${taskId}).\n`);
  });
});

describe('bad inputs', () => {
  it('names the file and the field of an invalid task file, and exits 2', async () => {
    await writeFile(
      path.join(workDir, 'bad.yaml'),
      taskYaml('bad').replace(`port: ${SOURCE.port}`, 'port: 70000'),
    );
    const run = await tidewater(['create', '-f', 'bad.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      [
        'Error FILE_INVALID: bad.yaml: source.port: A port is between 1 and 65535.',
        '  source.port: A port is between 1 and 65535.',
        'How to fix: Correct the fields listed in bad.yaml and run the command again.',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toBe('');
  });

  it('prints what only the server checks: a precheck without objects exits 2', async () => {
    const yaml = taskYaml('no-objects').replace(/objects:[\s\S]*$/, '');
    await writeFile(path.join(workDir, 'empty.yaml'), yaml);
    const created = await tidewater(['create', '-f', 'empty.yaml']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('No objects are selected yet');
    const id = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] ?? '';
    const run = await tidewater(['precheck', id]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Error TASK_NO_OBJECTS: Select at least one database or table/);
    expect(run.stderr).toMatch(/\nHow to fix: /);
  });

  it('exits 3 for a task id that is not one', async () => {
    const run = await tidewater(['show', 'not-a-task-id']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^Error TASK_NOT_FOUND: There is no task with id not-a-task-id\./);
  });

  it('exits 3 for a task that does not exist', async () => {
    const run = await tidewater(['status', '00000000-0000-4000-8000-000000000000']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Error TASK_NOT_FOUND');
    expect(run.stderr).toContain('How to fix: ');
  });

  it('exits 5 without a token, and with a wrong one', async () => {
    const anonymous = await tidewater(['list'], { TIDEWATER_TOKEN: '' });
    expect(anonymous.code).toBe(5);
    expect(anonymous.stderr).toMatch(/^Error UNAUTHENTICATED: /);
    const wrong = await tidewater(['list', '--token', 'tw_not-a-token']);
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/^Error API_TOKEN_INVALID: /);
    expect(wrong.stderr).not.toContain('tw_not-a-token');
  });

  it('says clearly which URL it could not reach, and exits 6', async () => {
    const port = await freePort();
    const run = await tidewater(['list', '--url', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(6);
    expect(run.stderr).toBe(
      [
        `Error API_UNREACHABLE: Cannot reach the Tidewater API at http://127.0.0.1:${port}/ (connection refused).`,
        'How to fix: Start the console (npm run quickstart, or docker compose up), or point the CLI at it with --url or TIDEWATER_URL.',
        '',
      ].join('\n'),
    );
  });

  it('reports a wrong source password from test-source with exit 6', async () => {
    await writeFile(
      path.join(workDir, 'source.json'),
      JSON.stringify({ type: 'mariadb', ...SOURCE, user: 'tidewater', password: 'wrong' }),
    );
    const run = await tidewater(['test-source', '-f', 'source.json']);
    expect(run.code).toBe(6);
    expect(run.stdout).toMatch(/^The source is not reachable\.\nError [A-Z_]+: /);
    expect(run.stdout).not.toContain('wrong');
  });
});

describe('text from the server', () => {
  /** C0 and C1 control characters and DEL; a newline only where the CLI itself breaks lines. */
  const hasControlCharacter = (text: string) =>
    [...text].some((char) => {
      const code = char.codePointAt(0) ?? 0;
      return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
    });
  const visible = randomBytes(3).toString('hex');
  const hostile = `cli-ctl-${visible}\u001b[2J\u001b]0;owned\u0007\u009b31m\r\nforged line\u202e`;

  it('prints no control characters from a task name, in text or in JSON', async () => {
    const created = await fetch(`${app.baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: hostile,
        source: { type: 'mariadb', ...SOURCE, user: 'tidewater', password: 'tidewater' },
        destination: { hosts: KAFKA_HOST, port: 9092, topic },
      }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { task: { id: string; name: string } }).task.id;

    const runs = [
      await tidewater(['list', '--search', `cli-ctl-${visible}`]),
      await tidewater(['show', id]),
      await tidewater(['status', id]),
      await tidewater(['list', '--search', `cli-ctl-${visible}`, '--json']),
      await tidewater(['show', id, '--json']),
    ];
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`cli-ctl-${visible}`);
      expect(run.stdout).toContain('forged line');
      expect(hasControlCharacter(run.stdout)).toBe(false);
      expect(run.stdout).not.toContain('\u202e');
      expect(run.stderr).toBe('');
    }
    for (const line of runs[1]!.stdout.split('\n')) expect(line).not.toMatch(/^forged line/);
    const listed = JSON.parse(runs[3]!.stdout) as { tasks: Array<{ name: string }> };
    expect(hasControlCharacter(listed.tasks[0]?.name ?? '')).toBe(false);
    await tidewater(['release', id, '--yes']);
  });

  it('prints no control characters from an error message', async () => {
    const run = await tidewater(['show', `\u001b[31mno-such-task\u0007`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^Error TASK_NOT_FOUND: There is no task with id \[31mno-such-task\./,
    );
    expect(hasControlCharacter(run.stderr)).toBe(false);
  });
});

describe('connectivity', () => {
  it('tests the source and the destination and lists the topics', async () => {
    await writeFile(
      path.join(workDir, 'source.yaml'),
      `type: mariadb\nhost: ${SOURCE.host}\nport: ${SOURCE.port}\nuser: tidewater\npassword: tidewater\n`,
    );
    const source = await tidewater(['test-source', '-f', 'source.yaml']);
    expect(source.stderr).toBe('');
    expect(source.code).toBe(0);
    expect(source.stdout).toMatch(/^Source reachable: .*MariaDB/);

    await writeFile(
      path.join(workDir, 'destination.json'),
      JSON.stringify({ hosts: KAFKA_HOST, port: 9092, topic }),
    );
    const destination = await tidewater(['test-destination', '-f', 'destination.json']);
    expect(destination.code).toBe(0);
    expect(destination.stdout).toMatch(/^Kafka reachable: broker version /);
    expect(destination.stdout).toMatch(new RegExp(`\\n +${topic} +3\\n`));
  });
});

describe('what the console does besides tasks', () => {
  let taskId: string;

  beforeAll(async () => {
    await writeFile(
      path.join(workDir, 'console-task.yaml'),
      taskYaml(`cli-console-${randomBytes(3).toString('hex')}`),
    );
    const run = await tidewater(['create', '-f', 'console-task.yaml', '--json']);
    expect(run.code).toBe(0);
    taskId = (JSON.parse(run.stdout) as { task: { id: string } }).task.id;
  });

  it('edits a task from a file of the fields to change, keeping the rest', async () => {
    const renamed = `cli-edited-${randomBytes(3).toString('hex')}`;
    await writeFile(
      path.join(workDir, 'changes.yaml'),
      [
        `name: ${renamed}`,
        'format: dts-avro',
        'source: { port: ' + String(SOURCE.port) + ' }',
        '',
      ].join('\n'),
    );
    const run = await tidewater(['edit', taskId, '-f', 'changes.yaml']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Changed task ${renamed} (${taskId}); it is created now.`);
    const shown = await tidewater(['show', taskId, '--json']);
    const task = (JSON.parse(shown.stdout) as { task: Record<string, any> }).task;
    expect(task.name).toBe(renamed);
    expect(task.config.format).toBe('dts-avro');
    // Not in the file, so kept: the objects, the account and its stored password.
    expect(task.config.objects).toEqual([
      { kind: 'database', database: 'demo_shop', dml: ['insert', 'update', 'delete'] },
    ]);
    expect(task.config.source).toMatchObject({ user: 'tidewater', hasPassword: true });

    await writeFile(path.join(workDir, 'bad-changes.yaml'), 'source: { prot: 3307 }\n');
    const bad = await tidewater(['edit', taskId, '-f', 'bad-changes.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Error FILE_INVALID: bad-changes.yaml: source.prot');
  });

  it("lists the source's databases and tables with their estimates", async () => {
    const run = await tidewater(['objects', taskId]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^DATABASE +TABLE +TYPE +~ROWS +SIZE$/);
    for (const table of ['customers', 'orders', 'products']) {
      expect(lines.some((line) => new RegExp(`^demo_shop +${table} +table +`).test(line))).toBe(
        true,
      );
    }
    const json = await tidewater(['objects', taskId, '--json']);
    const tree = JSON.parse(json.stdout) as { databases: Array<{ name: string }> };
    expect(tree.databases.map((database) => database.name)).toContain('demo_shop');
  });

  it('checks a filter against the real table: 0 when valid, 2 with the reason when not', async () => {
    const valid = await tidewater(['check-filter', taskId, 'demo_shop', 'customers', 'id > 1']);
    expect(valid.stderr).toBe('');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(
      /^The filter is valid on demo_shop\.customers; Tidewater runs it as:\n {2}WHERE .*id.*>.*1/,
    );
    const unknownColumn = await tidewater([
      'check-filter',
      taskId,
      'demo_shop',
      'customers',
      'no_such_column = 1',
    ]);
    expect(unknownColumn.code).toBe(2);
    expect(unknownColumn.stdout).toContain('The filter is not valid on demo_shop.customers.');
    expect(unknownColumn.stdout).toMatch(/How to fix: \S/);
    const missing = await tidewater(['check-filter', taskId, 'demo_shop', 'customers']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'Usage: tidewater check-filter <id> <database> <table> <filter>',
    );
  });

  it('creates an API token that works, lists it, and revokes it', async () => {
    const name = `cli-token-${randomBytes(3).toString('hex')}`;
    const created = await tidewater(['tokens', 'create', name, '--days', '7']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = created.stdout.trim().split('\n').at(-1) ?? '';
    expect(secret).toMatch(/^tw_\S{20,}$/);
    const id = /\(([^)]+)\), valid until/.exec(created.stdout)?.[1] ?? '';

    const listed = await tidewater(['tokens', 'list'], { TIDEWATER_TOKEN: secret });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^ID +NAME +PREFIX +CREATED \(UTC\) +LAST USED \(UTC\) +EXPIRES \(UTC\)$/m,
    );
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain(name);
    expect(listed.stdout).not.toContain(secret);

    const revoked = await tidewater(['tokens', 'revoke', id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Revoked API token ${id}.\n`);
    const refused = await tidewater(['tokens', 'list'], { TIDEWATER_TOKEN: secret });
    expect(refused.code).toBe(5);
    const remaining = await tidewater(['tokens', 'list', '--json']);
    const tokens = (JSON.parse(remaining.stdout) as { tokens: Array<{ id: string }> }).tokens;
    expect(tokens.map((token) => token.id)).not.toContain(id);
  });

  it('probes the system health and exits 0 only when every service is up', async () => {
    const json = await tidewater(['health', '--json']);
    const health = JSON.parse(json.stdout) as {
      isHealthy: boolean;
      services: Array<{ name: string; isUp: boolean }>;
    };
    expect(health.services.map((service) => service.name)).toEqual(
      expect.arrayContaining(['postgresql', 'redis', 'kafka', 'worker']),
    );
    expect(health.services.find((service) => service.name === 'postgresql')?.isUp).toBe(true);
    expect(json.code).toBe(health.isHealthy ? 0 : 6);
    const text = await tidewater(['health']);
    expect(text.stdout).toMatch(/^SERVICE +STATE +LATENCY +ENDPOINT +DETAIL$/m);
    expect(text.stdout).toMatch(/^postgresql +up +\d+ ms +/m);
  });
});

describe('the bin', () => {
  it('runs as `npx tidewater` from the workspace root', async () => {
    const run = await tidewater(
      ['help', 'start'],
      {},
      {
        file: 'npx',
        args: ['--no-install', 'tidewater'],
        cwd: repoRoot,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: tidewater start <id> --class');
  });
});

describe('the OpenAPI document', () => {
  it('describes every method of every route the web app serves', async () => {
    const response = await fetch(`${app.baseUrl}/api/openapi.json`, {
      headers: { authorization: `Bearer ${app.apiToken}` },
    });
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
    );
    const missing = servedRoutes().filter(
      ({ method, pattern }) =>
        !documented.some(
          (entry) => entry.startsWith(`${method} `) && pattern.test(entry.slice(method.length + 1)),
        ),
    );
    expect(missing.map(({ method, file }) => `${method} ${file}`)).toEqual([]);
  });
});

/** Every exported method of every route.ts under apps/web/app/api, as a path pattern. */
function servedRoutes(): Array<{ method: string; file: string; pattern: RegExp }> {
  const apiDir = path.join(repoRoot, 'apps/web/app/api');
  const files = (readdirSync(apiDir, { recursive: true }) as string[]).filter(
    (file) => path.basename(file) === 'route.ts',
  );
  return files.flatMap((file) => {
    const route = `/api/${path.dirname(file).split(path.sep).join('/')}`;
    const pattern = new RegExp(
      `^${route
        .split('/')
        .map((part) =>
          /^\[.+\]$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/')}$`,
    );
    const source = readFileSync(path.join(apiDir, file), 'utf8');
    return [...source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((match) => ({
      method: match[1] ?? '',
      file: `apps/web/app/api/${file}`,
      pattern,
    }));
  });
}
