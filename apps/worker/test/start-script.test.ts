import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * apps/worker/start.sh, the worker's launcher (dist/start.sh after the build), with a stand-in
 * for node that prints what it was started with.
 */

const execFileAsync = promisify(execFile);
const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../start.sh');
let folder: string;
let node: string;

interface Started {
  args: string[];
  preload: string;
  mallocConf: string;
  arenaMax: string;
}

async function start(env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<Started> {
  const { stdout } = await execFileAsync('sh', [script, ...args], {
    env: { PATH: process.env.PATH, TIDEWATER_NODE: node, ...env },
  });
  return JSON.parse(stdout) as Started;
}

describe('the worker launcher', () => {
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'tidewater-start-'));
    node = path.join(folder, 'node');
    await writeFile(
      node,
      [
        '#!/bin/sh',
        'first=1',
        'printf \'{"args":[\'',
        'for arg in "$@"; do [ $first = 1 ] || printf ","; first=0; printf \'"%s"\' "$arg"; done',
        'printf \'],"preload":"%s","mallocConf":"%s","arenaMax":"%s"}\' "${LD_PRELOAD:-}" "${MALLOC_CONF:-}" "${MALLOC_ARENA_MAX:-}"',
        '',
      ].join('\n'),
    );
    await chmod(node, 0o755);
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('starts the bundle beside it with its V8 heap settings and its own arguments', async () => {
    const started = await start({}, ['--inspect-brk-not-a-flag']);
    expect(started.args).toEqual([
      '--max-semi-space-size=8',
      '--heap-growing-percent=70',
      path.join(path.dirname(script), 'main.mjs'),
      '--inspect-brk-not-a-flag',
    ]);
  });

  it('gives the young generation 4 MiB semi-spaces in the memory-saving GC mode', async () => {
    expect((await start({ TIDEWATER_WORKER_GC: 'memory' })).args.slice(0, 2)).toEqual([
      '--max-semi-space-size=4',
      '--heap-growing-percent=70',
    ]);
  });

  it('preloads jemalloc with its settings where the system has it', async () => {
    const started = await start();
    // libjemalloc2 is one of the test prerequisites (scripts/test-prerequisites.sh).
    expect(started.preload).toMatch(/\/libjemalloc\.so\.2$/);
    expect(started.mallocConf).toBe(
      'background_thread:true,narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0',
    );
  });

  it('keeps glibc, with its own settings, when asked to or when something is preloaded', async () => {
    expect(await start({ TIDEWATER_WORKER_ALLOCATOR: 'glibc' })).toMatchObject({
      preload: '',
      mallocConf: '',
      arenaMax: '2',
    });
    const preloaded = await start({ LD_PRELOAD: 'libother.so' });
    expect(preloaded).toMatchObject({ preload: 'libother.so', mallocConf: '' });
  });

  it('adds TIDEWATER_WORKER_NODE_FLAGS after its own flags and keeps set MALLOC_ variables', async () => {
    const started = await start({
      TIDEWATER_WORKER_NODE_FLAGS: '--max-semi-space-size=16 --cpu-prof',
      MALLOC_ARENA_MAX: '4',
      MALLOC_CONF: 'narenas:1',
    });
    expect(started.args.slice(0, 4)).toEqual([
      '--max-semi-space-size=8',
      '--heap-growing-percent=70',
      '--max-semi-space-size=16',
      '--cpu-prof',
    ]);
    expect(started).toMatchObject({ arenaMax: '4', mallocConf: 'narenas:1' });
  });

  it('refuses an allocator it does not know, naming the ones it does', async () => {
    const failed = await start({ TIDEWATER_WORKER_ALLOCATOR: 'tcmalloc' }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: 'TIDEWATER_WORKER_ALLOCATOR=tcmalloc: use jemalloc (the default) or glibc.\n',
    });
  });
});
