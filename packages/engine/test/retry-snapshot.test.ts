import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineContext } from '../src/index';
import { openTaskSink } from '../src/pipeline/sink';
import { openTaskSource } from '../src/pipeline/source';
import { runTask } from '../src/runner/task-runner';
import {
  createOrdersDatabase,
  createOrdersTask,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  sourceRows,
  takeOverForRunner,
  waitUntil,
} from './fixtures';

/**
 * The full migration loses its source connection mid-table: the snapshot's reader is killed
 * on the server (KILL CONNECTION) while it reads a chunk. The task retries within its retry
 * window, resumes after the last acknowledged chunk and completes with every row in Kafka.
 *
 * To kill the reader in the middle of its read, and not at a random moment, the test holds a
 * write lock on the table once a chunk has been acknowledged: the reader's next SELECT waits
 * for the lock, visible in the process list, and that connection is killed. The runner is
 * driven directly so the test can choose a small chunk size and see where the retry resumed.
 */

const ROWS = 50_000;
const CHUNK_SIZE = 500;

let context: EngineContext;
const databases: string[] = [];

beforeAll(async () => {
  context = await engineForTests();
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

/** Connections other than `self` whose SELECT on the table waits for a metadata lock. */
async function waitingReaders(
  self: mysql.Connection,
  database: string,
): Promise<Array<{ id: number; info: string }>> {
  const [rows] = await self.query<mysql.RowDataPacket[]>(
    `SELECT ID AS id, INFO AS info FROM information_schema.PROCESSLIST
      WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query' AND STATE LIKE '%metadata lock%'
        AND INFO LIKE 'SELECT %' AND INFO LIKE ?`,
    [`%\`${database}\`.\`orders\`%`],
  );
  return rows.map((row) => ({ id: Number(row.id), info: String(row.info) }));
}

describe.each([1, 2])('snapshot reader killed mid-table (concurrency %i)', (concurrency) => {
  it('retries, resumes after the last acknowledged chunk and migrates every row', async () => {
    const database = await createOrdersDatabase(ROWS);
    databases.push(database);
    const topic = await createTopic(1);
    const task = await createOrdersTask(
      context,
      database,
      topic,
      { full: true, incremental: false },
      { retryMinutes: 10 },
    );
    const controller = new AbortController();
    const base = await takeOverForRunner(context, task, controller.signal);
    const { config, epoch } = base;
    /** The checkpoint each attempt of the full migration started from. */
    const resumes: unknown[] = [];
    const run = runTask({
      ...base,
      // One delivery at a time and a checkpoint per chunk: the snapshot moves chunk by chunk,
      // slowly enough to be stopped mid-table, and every acknowledged chunk is durable.
      tuning: {
        maxInFlight: 1,
        checkpointIntervalMs: 0,
        retryInitialMs: 200,
        retryMaxMs: 1_000,
        minuteMs: 1_000,
      },
      openSource: async (tuning) => {
        const source = await openTaskSource(
          config,
          { taskId: task.id, epoch },
          {
            retryWindowMs: config.advanced.retryMinutes * tuning.minuteMs,
            chunkSize: CHUNK_SIZE,
            concurrency,
          },
        );
        return {
          ...source,
          readSnapshot: (...args: Parameters<typeof source.readSnapshot>) => {
            resumes.push(args[1]);
            return source.readSnapshot(...args);
          },
        };
      },
      openSink: (source) => openTaskSink(config, source),
    });

    const locker = await sourceConnection(database);
    try {
      // A chunk acknowledged (polled without pause: the snapshot must still be mid-table).
      const deadline = Date.now() + 60_000;
      for (;;) {
        const progress = await context.runs.listTableProgress(task.id);
        if ((progress[0]?.rowsDone ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error('no chunk was acknowledged within 60 s');
      }
      await locker.query('LOCK TABLES orders WRITE');
      const progressAtLock = (await context.runs.listTableProgress(task.id))[0];
      expect(progressAtLock?.isDone).toBe(false);
      const readers = await waitUntil(
        "the snapshot's reader waiting for the table",
        async () => {
          const found = await waitingReaders(locker, database);
          return found.length > 0 ? found : undefined;
        },
        30_000,
      );
      for (const reader of readers) await locker.query('KILL CONNECTION ?', [reader.id]);
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
    }

    const outcome = await run;
    expect(outcome.kind === 'failed' ? outcome.error.toJSON() : outcome).toEqual({
      kind: 'completed',
    });

    // The retry was for the lost connection, named the table, and resumed mid-table.
    const events = await context.tasks.listEvents(task.id, { limit: 100 });
    const retries = events.filter((event) => event.kind === 'retrying');
    expect(retries.map((event) => (event.data as { code?: string }).code)).toContain(
      'SOURCE_CONNECTION_LOST',
    );
    expect(retries[0]?.message).toContain(`${database}.orders`);
    expect(resumes.length).toBeGreaterThanOrEqual(2);
    expect(resumes[0]).toBeNull();
    expect(resumes[1]).toMatchObject({
      database,
      table: 'orders',
      isTableDone: false,
      lastKey: [expect.anything()],
    });
    const resumedAfter = (resumes[1] as { rowsEmitted: number }).rowsEmitted;
    expect(resumedAfter).toBeGreaterThan(0);
    expect(resumedAfter).toBeLessThan(ROWS);

    const progress = await context.runs.listTableProgress(task.id);
    expect(progress).toMatchObject([{ table: 'orders', isDone: true, rowsDone: ROWS }]);
    const expected = await sourceRows(database);
    const folded = await foldTopic(topic, 'canal-json');
    expect(folded.rows.size).toBe(ROWS);
    expect(folded.rows).toEqual(expected);
    // Resumed from the checkpoint, not from the table's start: at most the chunks read but not
    // acknowledged come again.
    expect(folded.duplicates).toBeLessThanOrEqual(concurrency * 2 * CHUNK_SIZE);
  }, 180_000);
});
