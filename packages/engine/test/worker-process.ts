import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Starts real worker processes (`apps/worker`) for tests that kill them. */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function startWorker(env: NodeJS.ProcessEnv): WorkerProcess {
  // One process (no tsx wrapper): a SIGKILL must kill the worker itself, not a parent of it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: repoRoot,
    // Several workers run at once: each its own operations port unless the test names one.
    env: { ...process.env, TIDEWATER_WORKER_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    output: () => tail,
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function waitForOutput(
  worker: WorkerProcess,
  text: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.output().includes(text)) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
    if (Date.now() > deadline)
      throw new Error(`worker never printed "${text}":\n${worker.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
