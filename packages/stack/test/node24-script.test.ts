import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/node24.sh, which `npm run quickstart`, `npm test` and .ci/run go through: on a
 * machine whose Node.js is older (here a stand-in `node` that says it is 20, first on PATH), the
 * command runs on Node.js 24 from .tools/node, installed from the npm registry when missing; when
 * that cannot be had, it stops naming what to install.
 */

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const script = path.join(repoRoot, 'scripts/node24.sh');

let binDir: string;

async function executable(name: string, body: string): Promise<void> {
  const file = path.join(binDir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

describe('scripts/node24.sh', () => {
  beforeAll(async () => {
    binDir = await mkdtemp(path.join(tmpdir(), 'tidewater-old-node-'));
    // Node.js 20 as far as the script can tell (it asks `node -p` for the major version); any
    // other call runs the real Node.js, as npm (`#!/usr/bin/env node`) needs to install one.
    await executable(
      'node',
      `case "$1" in --version) echo v20.20.2 ;; -p) echo 20 ;; *) exec "${process.execPath}" "$@" ;; esac`,
    );
  });
  afterAll(async () => {
    if (binDir) await rm(binDir, { recursive: true, force: true });
  });

  it('runs the command on Node.js 24 when the machine has an older one', async () => {
    const { stdout } = await execFileAsync('sh', [script, 'node', '--version'], {
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
      timeout: 300_000,
    });
    expect(Number(/^v(\d+)\./.exec(stdout.trim())?.[1])).toBeGreaterThanOrEqual(24);
  });

  it('stops, naming what to install, when Node.js 24 cannot be installed', async () => {
    const npmFails = await mkdtemp(path.join(tmpdir(), 'tidewater-no-registry-'));
    try {
      await writeFile(
        path.join(npmFails, 'npm'),
        '#!/bin/sh\necho "registry unreachable" >&2\nexit 1\n',
      );
      await chmod(path.join(npmFails, 'npm'), 0o755);
      const run = execFileAsync('sh', [script, 'node', '--version'], {
        env: {
          ...process.env,
          PATH: `${npmFails}:${binDir}:${process.env.PATH}`,
          // A version not in .tools/node, so the script has to install one.
          TIDEWATER_NODE_VERSION: '24.0.0-unavailable',
        },
      });
      await expect(run).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(
          /registry unreachable[\s\S]*Tidewater needs Node\.js 24 or newer: installing node-linux-(x64|arm64)@24\.0\.0-unavailable from the npm registry failed[\s\S]*Install Node\.js 24/,
        ),
      });
    } finally {
      await rm(npmFails, { recursive: true, force: true });
    }
  });
});
