import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { TidewaterError } from '@tidewater/errors';

import { stackDir } from './paths';

/**
 * Several processes may run `stack up` at once (a test file, the CLI, the bench). Starting one
 * service is serialised with a lock directory holding the owner's pid; a lock whose owner died
 * is taken over.
 */

function ownerIsAlive(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
  } catch (error) {
    // The owner has created the directory but not yet written its pid: treat as alive.
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return true;
    throw error;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
}

export async function withStartLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(stackDir, { recursive: true });
  const lockDir = join(stackDir, `${name}.lock`);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      if (!ownerIsAlive(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new TidewaterError(
          'STACK_LOCK_TIMEOUT',
          `Another process has been starting ${name} for ten minutes.`,
          {
            category: 'conflict',
            remedy: `Wait for it to finish, or delete .stack/${name}.lock if no stack command is running.`,
          },
        );
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
