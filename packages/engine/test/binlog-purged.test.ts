import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, restartTask, runTaskJob, type EngineContext } from '../src/index';
import { startThrowawaySource, type ThrowawaySource } from './throwaway-source';
import { createTopic, engineForTests, foldTopic, waitUntil } from './fixtures';

/**
 * The binlog at a stopped task's checkpoint is purged: the task fails with that reason and
 * offers a fresh full migration, which the operator runs; everything arrives. The source is a
 * throwaway MariaDB this file starts through the stack's own code, so purging its binlogs
 * disturbs no other test.
 */

let context: EngineContext;
let source: ThrowawaySource;
let port: number;

const exec = (sql: string) => source.exec(sql);

beforeAll(async () => {
  context = await engineForTests();
  source = await startThrowawaySource('purged');
  port = source.port;
  await exec('CREATE DATABASE purged');
  await exec(
    'CREATE TABLE purged.orders (id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(64) NULL)',
  );
  await exec("INSERT INTO purged.orders VALUES (1, 1, 'first')");
}, 120_000);

afterAll(async () => {
  await source?.dispose();
  await context?.close();
});

describe('binlog purged under a stopped task', () => {
  it('fails with BINLOG_PURGED and recovers through a fresh full migration', async () => {
    const topic = await createTopic(1);
    const task = await createTask(context, {
      source: { type: 'mariadb', host: '127.0.0.1', port, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      objects: [{ kind: 'table', database: 'purged', table: 'orders' }],
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running');
    const run = (signal: AbortSignal) =>
      runTaskJob(context, task.id, {
        signal,
        workerId: 'test',
        log: () => undefined,
      });

    // Run until streaming, then stop the worker with the checkpoint in the current binlog.
    const first = new AbortController();
    const firstRun = run(first.signal);
    await waitUntil(
      'incremental migration',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      60_000,
    );
    await exec("INSERT INTO purged.orders VALUES (2, 2, 'streamed')");
    await waitUntil('the streamed row', async () =>
      (await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 })).rows.has('2'),
    );
    first.abort('shutdown');
    await firstRun;

    // While no worker runs the task: changes, a new binlog file, the old ones purged.
    await exec("INSERT INTO purged.orders VALUES (3, 3, 'while stopped')");
    await exec('FLUSH BINARY LOGS');
    const checkpointFile = (
      (await context.runs.readCheckpoint(task.id))?.position as { file: string }
    ).file;
    const admin = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: '',
    });
    // The server keeps a file a dump thread still reads; the stopped worker's thread ends
    // within moments, so purge until the checkpoint's file is really gone.
    await waitUntil('the checkpoint file to be purged', async () => {
      const [before] = await admin.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
      await admin.query('PURGE BINARY LOGS TO ?', [String(before.at(-1)!.Log_name)]);
      const [after] = await admin.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
      return after.every((log) => log.Log_name !== checkpointFile);
    });
    await admin.end();

    const outcome = await run(new AbortController().signal);
    expect(outcome?.kind).toBe('failed');
    const failed = await context.tasks.getTask(task.id);
    expect(failed.status).toBe('failed');
    expect(failed.statusReason).toMatch(/^BINLOG_PURGED/);
    const event = (await context.tasks.listEvents(task.id)).find((item) => item.kind === 'failed');
    expect(event?.message).toMatch(/fromScratch/);
    expect(event?.data).toMatchObject({ code: 'BINLOG_PURGED', canRestartFromScratch: true });

    // The operator's way out: a fresh snapshot from a new position, then streaming again.
    await restartTask(context, task.id, { fromScratch: true });
    expect(await context.runs.readCheckpoint(task.id)).toBeNull();
    const second = new AbortController();
    const secondRun = run(second.signal);
    await waitUntil(
      'incremental migration again',
      async () => (await context.runs.readRunState(task.id)).stage === 'incremental',
      60_000,
    );
    await exec("INSERT INTO purged.orders VALUES (4, 4, 'after the restart')");
    const folded = await waitUntil(
      'every row',
      async () => {
        const result = await foldTopic(topic, 'canal-json', { timeoutMs: 5_000 });
        return ['1', '2', '3', '4'].every((id) => result.rows.has(id)) ? result : undefined;
      },
      60_000,
    );
    expect(folded.rows.get('3')).toMatchObject({ note: 'while stopped' });
    second.abort('stop');
    expect((await secondRun)?.kind).toBe('stopped');
  }, 180_000);
});
