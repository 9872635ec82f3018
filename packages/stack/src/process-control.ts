import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { TidewaterError } from '@tidewater/errors';

/**
 * Detached server processes and their pid files. A pid file alone proves nothing (the process
 * may have died and the pid been reused), so a pid counts only while `/proc/<pid>/cmdline`
 * still holds the service's marker: the absolute path of its own configuration file.
 */

export interface ManagedProcess {
  pidFile: string;
  /** A string only this service's command line contains. */
  marker: string;
}

export interface SpawnDetachedOptions extends ManagedProcess {
  command: string;
  args: string[];
  /** stdout and stderr of the process go here (appended). */
  logFile: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

function readCommandLine(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the parenthesised command name; a zombie has already exited.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ESRCH')
  );
}

/** The pid of the running process the pid file names, if it is still ours. */
export function readLivePid(managed: ManagedProcess): number | undefined {
  let raw: string;
  try {
    raw = readFileSync(managed.pidFile, 'utf8').trim();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const pid = Number(raw);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const commandLine = readCommandLine(pid);
  return commandLine?.includes(managed.marker) ? pid : undefined;
}

/** Starts a process that outlives this one; returns its pid (also written to the pid file). */
export function spawnDetached(options: SpawnDetachedOptions): number {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    // A missing executable shows as an undefined pid here and as an 'error' event later.
    child.on('error', () => undefined);
    if (child.pid === undefined) {
      throw new TidewaterError('STACK_SPAWN_FAILED', `Could not start ${options.command}.`, {
        category: 'unavailable',
        remedy: `Check that ${options.command} is installed and on the PATH.`,
      });
    }
    child.unref();
    writeFileSync(options.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  return readCommandLine(pid) !== undefined;
}

/**
 * Stops the process gracefully (SIGTERM), then forcefully (SIGKILL) after `graceMs`.
 * Returns false when nothing of ours was running.
 */
export async function stopProcess(managed: ManagedProcess, graceMs: number): Promise<boolean> {
  const pid = readLivePid(managed);
  if (pid === undefined) {
    rmSync(managed.pidFile, { force: true });
    return false;
  }
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signal(pid, 'SIGKILL');
    const killDeadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < killDeadline) await sleep(50);
    if (isAlive(pid)) {
      throw new TidewaterError('STACK_STOP_FAILED', `Process ${pid} survived SIGKILL.`, {
        category: 'internal',
        remedy: `Check \`ps -o pid,stat,args -p ${pid}\` (a process stuck in disk I/O cannot be killed).`,
      });
    }
  }
  rmSync(managed.pidFile, { force: true });
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Already gone between the check and the signal: that is what we wanted.
    if (!isNotFound(error)) throw error;
  }
}
