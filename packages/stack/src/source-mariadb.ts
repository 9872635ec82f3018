import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { TidewaterError } from '@tidewater/errors';
import mysql from 'mysql2/promise';

import type { StackEndpoints } from './endpoints';
import { findExecutable } from './executables';
import { displayPath, mariadbDir, socketPath } from './paths';
import { probeMariadb } from './probes';
import type { ManagedProcess } from './process-control';
import { readLivePid, spawnDetached, stopProcess } from './process-control';
import { tailOf } from './log-tail';
import { waitUntilUp } from './wait';

/**
 * The source database: a MariaDB of our own with the binlog in ROW format, on its own port
 * and data directory under `.stack/mariadb/`, separate from any MariaDB the machine runs.
 */

const execFileAsync = promisify(execFile);

const files = {
  config: join(mariadbDir, 'my.cnf'),
  data: join(mariadbDir, 'data'),
  errorLog: join(mariadbDir, 'error.log'),
  installLog: join(mariadbDir, 'install.log'),
  /** mariadbd's stdout and stderr: what it writes before it opens its error log. */
  output: join(mariadbDir, 'mariadbd.out'),
  pid: join(mariadbDir, 'mariadbd.pid'),
  socket: socketPath(join(mariadbDir, 'mariadb.sock')),
};

export const mariadbProcess: ManagedProcess = {
  pidFile: files.pid,
  marker: `--defaults-file=${files.config}`,
};

const isRoot = process.getuid?.() === 0;

const installRemedy =
  'Install the server with `apt-get install -y mariadb-server` (Debian/Ubuntu; it provides ' +
  'mariadbd and mariadb-install-db). The stack runs its own instance; the system service may stay stopped.';

/** The server options a CDC source needs; each one is checked by the precheck suite too. */
export function renderMyCnf(options: {
  dir: string;
  dataDir: string;
  port: number;
  socket: string;
  pidFile: string;
  errorLog: string;
}): string {
  return `# Written by \`npm run stack -- up\`; edits are overwritten.
[mariadbd]
datadir=${options.dataDir}
socket=${options.socket}
pid-file=${options.pidFile}
log-error=${options.errorLog}
port=${options.port}
bind-address=127.0.0.1
skip-name-resolve

# Change data capture reads the binlog: ROW images with all columns and column metadata.
server_id=1
log_bin=mariadb-bin
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
binlog_checksum=CRC32
gtid_strict_mode=ON
log_slave_updates=ON
# Seven days, so a task stopped over a weekend can resume from its checkpoint.
binlog_expire_logs_seconds=604800

character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max_connections=500
max_allowed_packet=64M

# A development instance: durability traded for speed (bench fills a million rows).
innodb_buffer_pool_size=256M
innodb_log_file_size=256M
innodb_flush_log_at_trx_commit=2
sync_binlog=0
performance_schema=OFF

[client]
socket=${options.socket}
default-character-set=utf8mb4
`;
}

function writeConfig(port: number): void {
  mkdirSync(mariadbDir, { recursive: true });
  const content = renderMyCnf({
    dir: mariadbDir,
    dataDir: files.data,
    port,
    socket: files.socket,
    pidFile: files.pid,
    errorLog: files.errorLog,
  });
  const current = existsSync(files.config) ? readFileSync(files.config, 'utf8') : '';
  if (current !== content) writeFileSync(files.config, content);
}

/** Creates the data directory once; a half-finished attempt is discarded and redone. */
async function installDataDir(): Promise<void> {
  if (existsSync(join(files.data, 'mysql'))) return;
  const installDb = findExecutable(['mariadb-install-db', 'mysql_install_db'], installRemedy);
  const staging = `${files.data}.installing`;
  rmSync(staging, { recursive: true, force: true });
  const args = [
    `--defaults-file=${files.config}`,
    `--datadir=${staging}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    ...(isRoot ? ['--user=root'] : []),
  ];
  try {
    const { stdout, stderr } = await execFileAsync(installDb, args, {
      maxBuffer: 16 * 1024 * 1024,
    });
    writeFileSync(files.installLog, stdout + stderr);
  } catch (error) {
    const output =
      error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    writeFileSync(files.installLog, output);
    throw new TidewaterError(
      'STACK_MARIADB_INSTALL_FAILED',
      `mariadb-install-db could not create the source data directory; see ${displayPath(files.installLog)}.`,
      { category: 'internal', remedy: installRemedy, cause: error },
    );
  }
  rmSync(files.data, { recursive: true, force: true });
  renameSync(staging, files.data);
}

/**
 * Accounts, re-applied on every start so a changed definition reaches old data directories.
 * Kept out of the binlog: a test reading the binlog should see only its own changes.
 */
async function applyAccounts(endpoint: StackEndpoints['mariadb']): Promise<void> {
  const connection = await mysql.createConnection({
    socketPath: files.socket,
    user: 'root',
    password: '',
    multipleStatements: false,
  });
  try {
    await connection.query('SET SESSION sql_log_bin = 0');
    const [anonymous] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT Host AS host FROM mysql.user WHERE User = ''",
    );
    for (const row of anonymous) {
      await connection.query('DROP USER ?@?', ['', row.host]);
    }
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      await connection.query("CREATE USER IF NOT EXISTS 'root'@? IDENTIFIED BY ''", [host]);
      await connection.query("GRANT ALL PRIVILEGES ON *.* TO 'root'@? WITH GRANT OPTION", [host]);
    }
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [
      endpoint.user,
      '%',
      endpoint.password,
    ]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [
      endpoint.user,
      '%',
      endpoint.password,
    ]);
    // BINLOG MONITOR is MariaDB's name for REPLICATION CLIENT (SHOW BINARY LOGS, @@gtid_*).
    await connection.query(
      'GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, ' +
        'REPLICATION SLAVE ADMIN ON *.* TO ?@?',
      [endpoint.user, '%'],
    );
  } finally {
    await connection.end();
  }
}

export async function startMariadb(endpoint: StackEndpoints['mariadb']): Promise<void> {
  const mariadbd = findExecutable(['mariadbd', 'mysqld'], installRemedy);
  writeConfig(endpoint.port);
  await installDataDir();

  let pid = readLivePid(mariadbProcess);
  if (pid === undefined) {
    pid = spawnDetached({
      ...mariadbProcess,
      command: mariadbd,
      // --defaults-file must come first; as root the server refuses to start without --user.
      args: [`--defaults-file=${files.config}`, ...(isRoot ? ['--user=root'] : [])],
      logFile: files.output,
      cwd: mariadbDir,
    });
  }
  const startedPid = pid;

  const socketReady = await waitUntilUp(
    async () => {
      if (!existsSync(files.socket)) return { isUp: false, detail: 'socket not created yet' };
      try {
        await applyAccounts(endpoint);
        return { isUp: true, detail: 'accounts applied' };
      } catch (error) {
        return { isUp: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
    {
      timeoutMs: 60_000,
      giveUpIf: () => (readLivePid(mariadbProcess) === startedPid ? undefined : 'mariadbd exited'),
    },
  );
  if (!socketReady.isUp) throw notStarted(socketReady.gaveUpBecause ?? socketReady.detail);

  const ready = await waitUntilUp(() => probeMariadb(endpoint), { timeoutMs: 15_000 });
  if (!ready.isUp) throw notStarted(ready.detail);
}

function notStarted(reason: string): TidewaterError {
  return new TidewaterError(
    'STACK_MARIADB_NOT_STARTED',
    `The source MariaDB did not come up (${reason}). Last lines of ${displayPath(files.errorLog)}:\n${tailOf(files.errorLog, 15)}\n` +
      `and of ${displayPath(files.output)}, which holds what it printed before opening that log:\n${tailOf(files.output, 5)}`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy: `Read ${displayPath(files.errorLog)}. If the data directory is damaged, run \`npm run stack -- down mariadb\`, delete ${displayPath(mariadbDir)} and run \`npm run stack -- up\` again.`,
    },
  );
}

export async function stopMariadb(): Promise<boolean> {
  // mariadbd flushes InnoDB on SIGTERM; a large buffer pool can take a few seconds.
  return stopProcess(mariadbProcess, 60_000);
}
