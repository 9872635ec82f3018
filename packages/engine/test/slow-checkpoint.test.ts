import type { RunRepository } from '@tidewater/db';
import { TidewaterError } from '@tidewater/errors';
import type mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  takeOverForRunner,
  waitUntil,
} from './fixtures';

/**
 * A checkpoint write that takes long (the control database busy: a vacuum, a failover, a slow
 * disk) does not hold up delivery: what Kafka acknowledged is written in the background, one
 * write at a time, and the rows keep flowing meanwhile. Before, the write was awaited on the
 * acknowledgement path, so a slow write stalled every delivery behind it (the end-to-end
 * bench's commit-to-Kafka p99 rose by the write's duration).
 *
 * The control database is made slow by holding `writeCheckpoint` calls at a gate the test
 * opens, not by a timer: with the write on the acknowledgement path the rows never all arrive
 * while the gate is closed.
 */

const ROWS = 20_000;
const CHUNK_SIZE = 500;

let context: EngineContext;
const databases: string[] = [];
/** Opens a test's gate and stops its run, whatever the test's outcome. */
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  context = await engineForTests();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

type CheckpointArguments = Parameters<RunRepository['writeCheckpoint']>;

/**
 * The repository with a gate on `writeCheckpoint`: once closed (by `close`, or the first time
 * `closeOn` matches a call), calls wait until `open` lets them through or `fail` rejects them.
 */
function gatedRuns(runs: RunRepository, closeOn?: (args: CheckpointArguments) => boolean) {
  let gate: { promise: Promise<void>; open(): void; fail(error: Error): void } | null = null;
  let heldCalls = 0;
  const close = () => {
    let open!: () => void;
    let fail!: (error: Error) => void;
    const promise = new Promise<void>((resolve, reject) => {
      open = resolve;
      fail = reject;
    });
    promise.catch(() => undefined);
    gate = { promise, open, fail };
  };
  const gated: RunRepository = {
    ...runs,
    async writeCheckpoint(...args: CheckpointArguments) {
      if (closeOn?.(args) === true) {
        closeOn = undefined;
        close();
      }
      if (gate !== null) {
        heldCalls += 1;
        await gate.promise;
      }
      return runs.writeCheckpoint(...args);
    },
  };
  cleanups.push(async () => gate?.open());
  return {
    runs: gated,
    close,
    get heldCalls() {
      return heldCalls;
    },
    open() {
      gate?.open();
      gate = null;
    },
    fail(error: Error) {
      gate?.fail(error);
      gate = null;
    },
  };
}

async function startTask(
  database: string,
  topic: string,
  stages: { full: boolean; incremental: boolean },
  runs: RunRepository,
) {
  const task = await createOrdersTask(context, database, topic, stages);
  const controller = new AbortController();
  const base = await takeOverForRunner(context, task, controller.signal);
  const { config, epoch } = base;
  const run = runTask({
    ...base,
    runs,
    // A checkpoint due after every acknowledgement: with the write on the acknowledgement
    // path, the first held write stalls the run.
    tuning: { checkpointIntervalMs: 0, idleFlushMs: 1, retryInitialMs: 200, minuteMs: 1_000 },
    openSource: (tuning) =>
      openTaskSource(
        config,
        { taskId: task.id, epoch },
        { retryWindowMs: config.advanced.retryMinutes * tuning.minuteMs, chunkSize: CHUNK_SIZE },
      ),
    openSink: (source) => openTaskSink(config, source),
  });
  cleanups.push(() => {
    controller.abort('stop');
    return run;
  });
  return { task, run, stop: () => controller.abort('stop') };
}

/** A task of ten rows on the gated repository, its snapshot done and its stream started. */
async function streamingTask() {
  const database = await createOrdersDatabase(10);
  databases.push(database);
  const topic = await createTopic(1);
  const gate = gatedRuns(context.runs);
  const started = await startTask(database, topic, { full: true, incremental: true }, gate.runs);
  await waitUntil('the stream to start', async () => {
    const checkpoint = await context.runs.readCheckpoint(started.task.id);
    return checkpoint?.position ?? undefined;
  });
  return { database, topic, gate, ...started };
}

async function binlogEnd(): Promise<{ file: string; pos: number }> {
  const connection = await sourceConnection();
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const row = rows[0]!;
    return { file: String(row.File), pos: Number(row.Position) };
  } finally {
    await connection.end();
  }
}

function isAtOrAfter(
  position: { file: string; pos: number },
  than: { file: string; pos: number },
): boolean {
  return position.file === than.file ? position.pos >= than.pos : position.file > than.file;
}

describe('a slow checkpoint write', () => {
  it('does not hold up the full migration: every chunk reaches Kafka while it waits', async () => {
    const database = await createOrdersDatabase(ROWS);
    databases.push(database);
    const topic = await createTopic(1);
    // Closed at the first write that records an acknowledged chunk (the stage's own first
    // write, before any row, goes through).
    const gate = gatedRuns(context.runs, (args) => (args[3]?.length ?? 0) > 0);
    const { task, run } = await startTask(
      database,
      topic,
      { full: true, incremental: false },
      gate.runs,
    );

    const folded = await waitUntil(
      'every row in Kafka while the checkpoint write waits',
      async () => {
        const result = await foldTopic(topic, 'canal-json');
        return result.rows.size === ROWS ? result : undefined;
      },
    );
    expect(folded.rows.size).toBe(ROWS);
    // One write held at a time: the others were coalesced into the write after it.
    expect(gate.heldCalls).toBe(1);
    expect(await context.runs.listTableProgress(task.id)).toMatchObject([
      { isDone: false, rowsDone: 0 },
    ]);

    gate.open();
    expect(await run).toEqual({ kind: 'completed' });
    expect(await context.runs.listTableProgress(task.id)).toMatchObject([
      { isDone: true, rowsDone: ROWS },
    ]);
  });

  it('does not hold up incremental migration, and the stop writes the last acknowledged position', async () => {
    const { database, topic, gate, task, run, stop } = await streamingTask();

    gate.close();
    // One transaction per row: each is a delivery of its own, more of them than may be in
    // flight at once (8), so a stalled acknowledgement path would stop the reader.
    const writer = await sourceConnection(database);
    try {
      for (let id = 101; id <= 140; id += 1) {
        await writer.query(
          `INSERT INTO orders VALUES (?, 1, 'while the control database is slow', 1.00, NOW(3))`,
          [id],
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await writer.end();
    }
    const written = await binlogEnd();
    await waitUntil('the 40 new rows in Kafka while the checkpoint write waits', async () => {
      const result = await foldTopic(topic, 'canal-json');
      return result.rows.size === 50 ? result : undefined;
    });
    expect(gate.heldCalls).toBe(1);

    gate.open();
    stop();
    expect(await run).toEqual({ kind: 'stopped', reason: 'stop' });
    const checkpoint = await context.runs.readCheckpoint(task.id);
    expect(checkpoint?.position).toBeDefined();
    expect(isAtOrAfter(checkpoint!.position as { file: string; pos: number }, written)).toBe(true);
  });

  it('fails the run when the background write fails, instead of losing the failure', async () => {
    const { database, gate, task, run } = await streamingTask();

    gate.close();
    const writer = await sourceConnection(database);
    try {
      await writer.query(`INSERT INTO orders VALUES (101, 1, 'lost write', 1.00, NOW(3))`);
    } finally {
      await writer.end();
    }
    await waitUntil('the checkpoint write to be held', async () => gate.heldCalls > 0);
    // Read once a write is held: one write runs at a time, so none can land after this.
    const before = await context.runs.readCheckpoint(task.id);
    gate.fail(
      new TidewaterError('CHECKPOINT_REFUSED', 'The control database refused the write.', {
        category: 'internal',
        remedy: 'None: a test failure.',
      }),
    );
    const outcome = await run;
    expect(outcome).toMatchObject({ kind: 'failed', error: { code: 'CHECKPOINT_REFUSED' } });
    // Nothing past the refused write was recorded as durable.
    expect((await context.runs.readCheckpoint(task.id))?.position).toEqual(before?.position);
  });
});
