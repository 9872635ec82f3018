import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The worker's production build (`npm run build -w @tidewater/worker`, build.mjs) as the image
 * runs it: dist/, prisma/migrations and the entry script copied into a folder laid out like the
 * image's /app (Dockerfile), with no node_modules and no TypeScript loader anywhere above it.
 * `entrypoint.sh migrate` applies the migrations; `entrypoint.sh worker` starts, writes its
 * heartbeat to PostgreSQL, and stops cleanly on SIGTERM.
 */

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/tidewater_bundle_${randomBytes(4).toString('hex')}_test`;

let appDir: string;

async function query<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the bundled worker', () => {
  beforeAll(async () => {
    await execFileAsync(process.execPath, ['apps/worker/build.mjs'], { cwd: repoRoot });
    appDir = await mkdtemp(path.join(tmpdir(), 'tidewater-image-'));
    await cp(path.join(repoRoot, 'apps/worker/dist'), path.join(appDir, 'apps/worker/dist'), {
      recursive: true,
    });
    await cp(path.join(repoRoot, 'prisma/migrations'), path.join(appDir, 'prisma/migrations'), {
      recursive: true,
    });
    await cp(path.join(repoRoot, 'docker/entrypoint.sh'), path.join(appDir, 'entrypoint.sh'));
  });

  afterAll(async () => {
    if (appDir) await rm(appDir, { recursive: true, force: true });
    const url = new URL(databaseUrl);
    const name = url.pathname.slice(1);
    url.pathname = '/postgres';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });

  it('is plain JavaScript with every workspace package inside', async () => {
    const bundle = await readFile(path.join(appDir, 'apps/worker/dist/main.mjs'), 'utf8');
    expect(bundle).not.toMatch(/from ["']@tidewater\//);
    expect(bundle).not.toMatch(/from ["']tsx/);
    // Read at run time beside the module (packages/formats, DTS Avro).
    const schema = await readFile(path.join(appDir, 'apps/worker/dist/Record.avsc'), 'utf8');
    expect(JSON.parse(schema)).toEqual(expect.any(Array));
  });

  it("is ASCII and reads Prisma's query compiler from a file beside it", async () => {
    const bundle = await readFile(path.join(appDir, 'apps/worker/dist/main.mjs'));
    // V8 holds a source with any non-ASCII character at two bytes per character.
    expect(bundle.findIndex((byte) => byte > 0x7f)).toBe(-1);
    // The WebAssembly module as base64 ("\0asm" is "AGFzbQ"): not in the source.
    expect(bundle.includes('AGFzbQ')).toBe(false);
    const wasm = await readFile(path.join(appDir, 'apps/worker/dist/query_compiler.wasm'));
    expect(wasm.subarray(0, 4)).toEqual(Buffer.from('\0asm', 'latin1'));
  });

  it('migrates a new database with the migrate command', async () => {
    const { stdout } = await execFileAsync('sh', [path.join(appDir, 'entrypoint.sh'), 'migrate'], {
      cwd: tmpdir(),
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    const migrations = await query<{ n: string }>(
      'SELECT COUNT(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
    );
    expect(Number(migrations[0]?.n)).toBeGreaterThan(0);
    expect(stdout).toContain(`Database is up to date (${migrations[0]?.n} applied now, 0 before).`);
  });

  it('starts with the worker command, records its heartbeat, and stops on SIGTERM', async () => {
    // The script execs node: the signal reaches the worker itself.
    const worker = spawn('sh', [path.join(appDir, 'entrypoint.sh'), 'worker'], {
      cwd: tmpdir(),
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        TIDEWATER_QUEUE_PREFIX: `tw-bundle-${randomBytes(4).toString('hex')}`,
        TIDEWATER_SECRET_KEY: randomBytes(32).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('"worker started"')) {
        if (worker.exitCode !== null) throw new Error(`the worker exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the worker did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { id, allocator, gc } = JSON.parse(
        output.split('\n').find((line) => line.includes('"worker started"'))!,
      ) as { id: string; allocator: string; gc: string };
      // libjemalloc2 is one of the test prerequisites, as it is in the image.
      expect(allocator).toBe('jemalloc');
      // V8's usual heuristics unless TIDEWATER_WORKER_GC=memory (gc-mode.ts).
      expect(gc).toBe('throughput');
      const heartbeats = await query<{ id: string; pid: number }>(
        'SELECT id, pid FROM worker_heartbeat',
      );
      expect(heartbeats).toEqual([{ id, pid: worker.pid }]);
      // Started by dist/start.sh with the worker's memory settings.
      const commandLine = (await readFile(`/proc/${worker.pid}/cmdline`, 'utf8')).split('\0');
      expect(commandLine).toEqual(
        expect.arrayContaining(['--max-semi-space-size=8', '--heap-growing-percent=70']),
      );
      expect(commandLine.at(-2)).toMatch(/apps\/worker\/dist\/main\.mjs$/);
      const environment = (await readFile(`/proc/${worker.pid}/environ`, 'utf8')).split('\0');
      expect(environment).toContainEqual(
        expect.stringMatching(/^MALLOC_CONF=background_thread:true,/),
      );
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('"worker stopped"');
    // A clean stop removes its heartbeat.
    expect(await query('SELECT id FROM worker_heartbeat')).toEqual([]);
  });
});
