import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

/**
 * A MariaDB of one test file's own, started and stopped by the stack's own code, for tests that
 * stop the source, purge its binlogs or change its global settings without disturbing the
 * shared one. The stack reads its directory and port from the environment when it is first
 * imported, so this module imports it only after setting them: a test file that uses this
 * must not import `@tidewater/stack` statically.
 */
export interface ThrowawaySource {
  port: number;
  exec(sql: string): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startThrowawaySource(name: string): Promise<ThrowawaySource> {
  const directory = mkdtempSync(join(tmpdir(), `tidewater-${name}-`));
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  process.env.TIDEWATER_STACK_DIR = directory;
  process.env.TIDEWATER_SOURCE_PORT = String(port);
  const stack = await import('@tidewater/stack');
  await stack.startService('mariadb');
  return {
    port,
    async exec(sql) {
      const connection = await mysql.createConnection({
        host: '127.0.0.1',
        port,
        user: 'root',
        password: '',
      });
      try {
        await connection.query(sql);
      } finally {
        await connection.end();
      }
    },
    stop: async () => {
      await stack.stopService('mariadb');
    },
    start: async () => {
      await stack.startService('mariadb');
    },
    async dispose() {
      await stack.stopService('mariadb');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
