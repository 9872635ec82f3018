/**
 * A binlog-enabled MariaDB of one test file's own, started and stopped by the stack's code, for
 * tests that change global settings (`binlog_row_metadata` is global only: MariaDB refuses
 * `SET SESSION binlog_row_metadata`) without disturbing the tests that share the stack's
 * MariaDB. The stack reads its directory and port from the environment when first imported, so
 * it is imported here only after they are set: a test file using this must not import
 * `@tidewater/stack` statically. Vitest runs each file in its own worker, so the environment
 * stays the file's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectSource, type SourceConnectionOptions } from '../src/connect';
import { freePort } from '@tidewater/test-kit';

export interface PrivateSource {
  options: SourceConnectionOptions;
  /** Runs one statement as root, e.g. `SET GLOBAL binlog_row_metadata = NO_LOG`. */
  exec(sql: string, values?: unknown[]): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPrivateSource(label: string): Promise<PrivateSource> {
  const directory = mkdtempSync(join(tmpdir(), `tidewater-${label}-`));
  const port = await freePort();
  process.env.TIDEWATER_STACK_DIR = directory;
  process.env.TIDEWATER_SOURCE_PORT = String(port);
  const stack = await import('@tidewater/stack');
  await stack.startService('mariadb');
  const options: SourceConnectionOptions = { host: '127.0.0.1', port, user: 'root', password: '' };
  return {
    options,
    exec: async (sql, values) => {
      const session = await connectSource(options);
      try {
        await session.connection.query(sql, values);
      } finally {
        await session.close();
      }
    },
    dispose: async () => {
      await stack.stopService('mariadb');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
