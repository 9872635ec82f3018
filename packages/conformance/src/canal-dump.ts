/**
 * Runs `canal-dump` (the real Canal 1.1.7, embedded) beside a scenario: start it at a binlog
 * position, wait until Canal has read the table definitions it starts from, run the scenario,
 * then hand it the end position and collect the FlatMessage JSON lines it printed.
 */
import type { ChildProcess } from 'node:child_process';

import { spawnTool } from './tools';

export interface CanalDumpOptions {
  host: string;
  port: number;
  /** An account with SELECT, REPLICATION SLAVE and REPLICATION CLIENT. */
  user: string;
  password: string;
  start: { file: string; pos: number };
  /** Canal's `canal.instance.filter.regex`, e.g. `mydb\\..*`. */
  filter: string;
  /** The zone Canal's JVM runs in: TIMESTAMP values are printed in it. */
  timeZone: string;
  /** Replica server id; unique among the source's replicas. */
  slaveId: number;
  /** The whole run, from start to exit. */
  timeoutMs?: number;
}

export interface CanalDump {
  /**
   * Gives Canal the end position, lets the caller write one captured change after it (Canal
   * has read everything before the end once it reads that change), and returns each message
   * Canal printed for the events in [start, end), in order, as its exact JSON text.
   */
  finish(end: { file: string; pos: number }, writeAfterEnd: () => Promise<void>): Promise<string[]>;
  /** What Canal printed on stderr (its warnings; entry positions when tracing). */
  stderr(): string;
  /** Ends the process if it still runs (test cleanup). */
  kill(): void;
}

class Output {
  readonly stdout: Buffer[] = [];
  stderr = '';
  private readonly waiters: Array<() => void> = [];

  constructor(child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
      // Canal's own log can be long; keep the head (the ready line) and a bounded tail.
      if (this.stderr.length > 200_000) {
        this.stderr = `${this.stderr.slice(0, 20_000)}\n…\n${this.stderr.slice(-100_000)}`;
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  tail(lines = 40): string {
    return this.stderr.split('\n').slice(-lines).join('\n');
  }
}

export async function startCanalDump(options: CanalDumpOptions): Promise<CanalDump> {
  const child = spawnTool('canal-dump', [
    '--host',
    options.host,
    '--port',
    String(options.port),
    '--user',
    options.user,
    '--password',
    options.password,
    '--start-file',
    options.start.file,
    '--start-pos',
    String(options.start.pos),
    '--filter',
    options.filter,
    '--time-zone',
    options.timeZone,
    '--slave-id',
    String(options.slaveId),
    '--timeout-ms',
    String(options.timeoutMs ?? 240_000),
    // Every entry's position on stderr, for a closer look at a failure.
    '--trace',
    String(process.env.TIDEWATER_CANAL_TRACE === '1'),
  ]);
  const output = new Output(child);
  let exitCode: number | null | undefined;
  let startError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('close', (code) => {
      exitCode = code;
      resolve();
    });
    child.once('error', (error) => {
      startError = error;
      exitCode = exitCode ?? -1;
      resolve();
    });
  });

  const waitFor = async (pattern: RegExp, what: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output.stderr)) {
      if (exitCode !== undefined) {
        throw new Error(
          `canal-dump exited (code ${exitCode}) before ${what}: ${startError?.message ?? ''}\n${output.tail()}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        child.kill('SIGKILL');
        throw new Error(
          `canal-dump did not report ${what} within ${timeoutMs} ms:\n${output.tail()}`,
        );
      }
      await Promise.race([output.changed(), exited, new Promise((r) => setTimeout(r, left))]);
    }
  };

  await waitFor(/^ready /m, 'reading the table definitions', 120_000);

  return {
    async finish(end, writeAfterEnd) {
      child.stdin?.write(`${end.file}:${end.pos}\n`);
      await waitFor(/^end /m, 'receiving the end position', 30_000);
      await writeAfterEnd();
      await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(resolve, options.timeoutMs ?? 240_000)),
      ]);
      if (exitCode === undefined) {
        child.kill('SIGKILL');
        throw new Error(`canal-dump did not reach the end position:\n${output.tail()}`);
      }
      if (exitCode !== 0) {
        throw new Error(`canal-dump exited with code ${exitCode}:\n${output.tail()}`);
      }
      return Buffer.concat(output.stdout)
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '');
    },
    stderr: () => output.stderr,
    kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
    },
  };
}
