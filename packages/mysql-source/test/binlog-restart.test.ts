import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeEvent } from '@tidewater/change-events';
import type * as StackModule from '@tidewater/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBinlogPosition } from '../src/binlog/binlog-position';
import { openBinlogStream, type BinlogWarning } from '../src/binlog/binlog-stream';
import { connectSource, type SourceConnectionOptions } from '../src/connect';
import { freePort } from '@tidewater/test-kit';

// Restarting the source must not disturb the other test files, which share the stack's MariaDB:
// this file runs a throwaway MariaDB of its own, started and stopped by the stack's own code
// (TIDEWATER_STACK_DIR and TIDEWATER_SOURCE_PORT point it at a temporary directory and port).

type Stack = typeof StackModule;

describe('binlog stream against a source that restarts', () => {
  let stack: Stack;
  let directory: string;
  let source: SourceConnectionOptions;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'tidewater-binlog-restart-'));
    const port = await freePort();
    process.env.TIDEWATER_STACK_DIR = directory;
    process.env.TIDEWATER_SOURCE_PORT = String(port);
    stack = await import('@tidewater/stack');
    await stack.startService('mariadb');
    source = { host: '127.0.0.1', port, user: 'root', password: '' };
  });

  afterAll(async () => {
    await stack?.stopService('mariadb');
    rmSync(directory, { recursive: true, force: true });
  });

  async function exec(sql: string): Promise<void> {
    const session = await connectSource(source);
    try {
      await session.connection.query(sql);
    } finally {
      await session.close();
    }
  }

  it('reconnects after the source restarts and goes on without losing or repeating a change', async () => {
    await exec('CREATE DATABASE restart_db');
    await exec('CREATE TABLE restart_db.t (id INT PRIMARY KEY)');
    const session = await connectSource(source);
    const start = await readBinlogPosition(session.connection);
    await session.close();
    const warnings: BinlogWarning[] = [];
    const stream = await openBinlogStream({
      source,
      start,
      databases: ['restart_db'],
      heartbeatIntervalMs: 1000,
      retryWindowMs: 120_000,
      onWarning: (warning) => warnings.push(warning),
    });
    const ids: string[] = [];
    const iterator = stream[Symbol.asyncIterator]();
    const readInserts = async (count: number): Promise<void> => {
      const deadline = Date.now() + 90_000;
      while (ids.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${ids.length} rows arrived`);
        const { value, done } = (await iterator.next()) as IteratorResult<ChangeEvent>;
        if (done) throw new Error('the stream ended');
        if (value.kind === 'insert') ids.push(...value.rows.map((row) => String(row[0])));
      }
    };
    try {
      for (const id of [1, 2, 3]) await exec(`INSERT INTO restart_db.t VALUES (${id})`);
      await readInserts(3);
      await stack.stopService('mariadb');
      await stack.startService('mariadb');
      for (const id of [4, 5, 6]) await exec(`INSERT INTO restart_db.t VALUES (${id})`);
      await readInserts(6);
      expect(ids).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(warnings.map((warning) => warning.code)).toContain('SOURCE_RECONNECTING');
    } finally {
      stream.close();
    }
  });

  it('fails with BINLOG_PURGED when the checkpoint file was purged', async () => {
    const session = await connectSource(source);
    try {
      const old = await readBinlogPosition(session.connection);
      await session.connection.query('FLUSH BINARY LOGS');
      const current = await readBinlogPosition(session.connection);
      // The server keeps a file a replica still reads (the dump session of the test before may
      // take a moment to end): purge until the old file is gone.
      const deadline = Date.now() + 20_000;
      for (;;) {
        await session.connection.query(`PURGE BINARY LOGS TO '${current.file}'`);
        const [logs] = await session.connection.query('SHOW BINARY LOGS');
        if (!(logs as Array<{ Log_name: string }>).some((log) => log.Log_name === old.file)) break;
        if (Date.now() > deadline) throw new Error(`${old.file} was not purged`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await expect(
        openBinlogStream({ source, start: { ...old, gtidSet: null }, retryWindowMs: 1000 }),
      ).rejects.toMatchObject({
        code: 'BINLOG_PURGED',
      });
    } finally {
      await session.close();
    }
  });

  it('gives up with a clear reason when the source stays away past the retry window', async () => {
    const session = await connectSource(source);
    const start = await readBinlogPosition(session.connection);
    await session.close();
    const stream = await openBinlogStream({
      source,
      start,
      heartbeatIntervalMs: 1000,
      retryWindowMs: 3000,
    });
    await stack.stopService('mariadb');
    try {
      const started = Date.now();
      await expect(
        (async () => {
          for await (const event of stream) void event;
        })(),
      ).rejects.toMatchObject({ code: 'SOURCE_RETRY_EXHAUSTED' });
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      stream.close();
      await stack.startService('mariadb');
    }
  });
});
