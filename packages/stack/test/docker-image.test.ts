import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The image's contract, which docker-compose.yml and the Kubernetes manifests rely on (no Docker
 * engine needed): Node.js 24 in every stage, a runtime stage built only from the build stage's
 * output, and one entry script whose first argument is `web` (the default), `worker` or
 * `migrate`. The script runs here with a stand-in `node` that prints what it was asked to run.
 */

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('Dockerfile', () => {
  it('builds on Node.js 24 and keeps only the build output in the runtime stage', async () => {
    const dockerfile = await readFile(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.map((stage) => stage.split('\n')[0])).toEqual([
      'node:24-bookworm-slim AS build',
      'node:24-bookworm-slim AS runtime',
    ]);
    const runtime = stages[1]!;
    expect(runtime).not.toMatch(/npm (ci|install)|^COPY \. /m);
    expect(runtime.match(/^COPY .*/gm)).toEqual(['COPY --from=build /out /app']);
    expect(runtime).toContain('ENTRYPOINT ["/app/entrypoint.sh"]');
    expect(runtime).toContain('CMD ["web"]');
    expect(runtime).toMatch(/TIDEWATER_WORKER_HTTP_HOST=0\.0\.0\.0/);
  });
});

describe('docker/entrypoint.sh', () => {
  let appDir: string;

  beforeAll(async () => {
    appDir = await mkdtemp(path.join(tmpdir(), 'tidewater-entrypoint-'));
    await copyFile(path.join(repoRoot, 'docker/entrypoint.sh'), path.join(appDir, 'entrypoint.sh'));
    // The worker's launcher, laid out as the image has it (the build copies it into dist/).
    await mkdir(path.join(appDir, 'apps/worker/dist'), { recursive: true });
    for (const file of ['start.sh', 'find-jemalloc.sh']) {
      await copyFile(
        path.join(repoRoot, 'apps/worker', file),
        path.join(appDir, 'apps/worker/dist', file),
      );
    }
    await writeFile(path.join(appDir, 'node'), '#!/bin/sh\necho "node $* (in $(pwd))"\n');
    await chmod(path.join(appDir, 'node'), 0o755);
  });
  afterAll(async () => {
    if (appDir) await rm(appDir, { recursive: true, force: true });
  });

  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
    (
      await execFileAsync('sh', [path.join(appDir, 'entrypoint.sh'), ...args], {
        cwd: tmpdir(),
        env: { ...process.env, PATH: `${appDir}:${process.env.PATH}`, ...env },
      })
    ).stdout.trim();

  it('starts the console on all interfaces by default and for `web`', async () => {
    const expected = `node apps/web/server.mjs --port 3000 --hostname 0.0.0.0 (in ${appDir})`;
    expect(await run([], { PORT: '' })).toBe(expected);
    expect(await run(['web'], { PORT: '' })).toBe(expected);
    expect(await run(['web'], { PORT: '8080' })).toContain('--port 8080');
  });

  it('runs the worker bundle for `worker` and the migration runner for `migrate`', async () => {
    // Through the worker's launcher (apps/worker/start.sh), which execs node with its flags.
    expect(await run(['worker'])).toBe(
      `node --max-semi-space-size=8 --heap-growing-percent=70 apps/worker/dist/main.mjs (in ${appDir})`,
    );
    expect(await run(['migrate'])).toBe(`node apps/worker/dist/migrate.mjs (in ${appDir})`);
  });

  it('runs any other command as given', async () => {
    expect(await run(['echo', 'hello'])).toBe('hello');
  });
});
