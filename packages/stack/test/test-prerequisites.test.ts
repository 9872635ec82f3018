import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/test-prerequisites.sh, the first step of `npm test` and .ci/run. On this machine the
 * tests' programs are there, so it passes; on a machine without them, for a user who is not
 * root (a stand-in `id` and a PATH holding nothing else), it installs nothing and stops with the
 * one command that installs them.
 */

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const script = path.join(repoRoot, 'scripts/test-prerequisites.sh');

describe('scripts/test-prerequisites.sh', () => {
  let emptyBin: string;

  beforeAll(async () => {
    emptyBin = await mkdtemp(path.join(tmpdir(), 'tidewater-bare-machine-'));
    await writeFile(path.join(emptyBin, 'id'), '#!/bin/sh\necho 1000\n');
    await chmod(path.join(emptyBin, 'id'), 0o755);
  });
  afterAll(async () => {
    if (emptyBin) await rm(emptyBin, { recursive: true, force: true });
  });

  it('passes where everything the tests need is installed', async () => {
    await expect(execFileAsync('sh', [script])).resolves.toMatchObject({ stdout: '' });
  });

  it('names the one command to run when programs are missing and it may not install', async () => {
    const run = execFileAsync('/bin/sh', [script], { env: { PATH: emptyBin } });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^The tests need: chromium docker-compose.* openjdk-17-jdk-headless maven openssl( libjemalloc2)?\. Install them \(Debian 12\):\n {2}sudo apt-get install -y chromium docker-compose.* maven openssl( libjemalloc2)?\n$/,
      ),
    });
  });
});
