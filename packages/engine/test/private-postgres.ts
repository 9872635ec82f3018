import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@tidewater/test-kit';

/**
 * A PostgreSQL cluster of one test file's own (initdb and pg_ctl from the installed server,
 * in a temporary directory, on a free port), for tests that stop the control database: the
 * shared one serves the other tests and is never restarted. PostgreSQL refuses to run as
 * root, so under root the cluster belongs to the `postgres` user and every command runs as
 * that user (`runuser`).
 */
export interface PrivatePostgres {
  port: number;
  /** A connection URL for `database` on this cluster (created by the migrations). */
  url(database: string): string;
  /** `pg_ctl stop -m fast`: open connections are terminated, new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const run = promisify(execFile);

export async function startPrivatePostgres(name: string): Promise<PrivatePostgres> {
  const bin = serverBinaries();
  const directory = mkdtempSync(join(tmpdir(), `tidewater-${name}-pg-`));
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', 'postgres']).then(({ stdout }) => Number(stdout.trim())),
      run('id', ['-g', 'postgres']).then(({ stdout }) => Number(stdout.trim())),
    ]);
    chownSync(directory, uid, gid);
  }
  const asOwner = (command: string, args: string[]) =>
    isRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args])
      : run(join(bin, command), args);
  const port = await freePort();
  const data = join(directory, 'data');
  await asOwner('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = [
    `-p ${port}`,
    `-k ${directory}`,
    '-c listen_addresses=127.0.0.1',
    // A test cluster: durability across a crash of the machine is not needed.
    '-c fsync=off',
  ].join(' ');
  let isRunning = false;
  const start = async () => {
    await asOwner('pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(directory, 'log'),
      '-w',
      'start',
    ]);
    isRunning = true;
  };
  const stop = async () => {
    await asOwner('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    isRunning = false;
  };
  await start();
  return {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    async dispose() {
      if (isRunning) await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The newest installed server's binaries (Debian's /usr/lib/postgresql/<version>/bin). */
function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`No PostgreSQL server binaries under ${root}.`);
  return join(root, versions[0]!, 'bin');
}
