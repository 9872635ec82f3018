import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ChangeEvent } from '@tidewater/change-events';
import { taskConfigSchema } from '@tidewater/config';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineContext } from '../src/index';
import { openTaskSink, type TaskSink } from '../src/pipeline/sink';
import { openTaskSource } from '../src/pipeline/source';
import { runTask } from '../src/runner/task-runner';
import {
  createOrdersDatabase,
  createOrdersTask,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  ordersInsert,
  SOURCE,
  sourceConnection,
  takeOverForRunner,
  waitUntil,
} from './fixtures';

/**
 * Row images live only until the sink built their messages, not until Kafka acknowledged
 * them. What a suspended async function holds (its arguments, its locals) stays alive while it
 * waits: a wrapper that awaited the delivery kept every event in flight, and the runner's flush
 * kept its whole batch while it waited for room. Each such event survives the young
 * generation's collections and is promoted, so the old generation, the worker's peak memory
 * and its collections all grew with what was in flight (issue 13).
 *
 * Checked with V8's own collector: a full collection (`gc`) at a moment the delivery is still
 * in flight, then whether the events are still reachable.
 */

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let context: EngineContext;
const databases: string[] = [];
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

/** A macrotask boundary: V8 keeps a WeakRef's target alive until the job that made it ends. */
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('events handed to the sink', () => {
  it('are not kept by the task sink while Kafka acknowledges their messages', async () => {
    const topic = await createTopic(1);
    const config = taskConfigSchema.parse({
      source: { type: 'mariadb', ...SOURCE },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
    });
    const sink = await openTaskSink(config, { version: '10.11.0-MariaDB', timeZone: 'UTC' });
    cleanups.push(() => sink.close());
    let events: ChangeEvent[] | null = Array.from({ length: 50 }, (_, i) =>
      ordersInsert(i + 1, `note ${i + 1}`.repeat(8)),
    );
    const refs = events.map((event) => new WeakRef(event));
    await nextTask();

    // One synchronous job: the delivery cannot have been acknowledged before `gc` runs (the
    // broker's answer needs the event loop).
    const delivery = sink.deliver(events);
    events = null;
    collectGarbage();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;

    expect(await delivery).toMatchObject({ bytes: expect.any(Number) });
    expect(alive).toBe(0);
    const folded = await foldTopic(topic, 'canal-json');
    expect(folded.rows.size).toBe(50);
  });

  it("are not kept by the binlog stage's batch while it waits for room in the window", async () => {
    const database = await createOrdersDatabase(0);
    databases.push(database);
    const topic = await createTopic(1);
    const task = await createOrdersTask(context, database, topic, {
      full: false,
      incremental: true,
    });
    const controller = new AbortController();
    const base = await takeOverForRunner(context, task, controller.signal);
    const { config, epoch } = base;

    // The sink as the runner sees it, with Kafka's acknowledgements held back at a gate once
    // it is closed: the runner fills its window (two deliveries) and waits for room.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    cleanups.push(async () => open());
    let isClosed = false;
    let handed: Array<{ refs: WeakRef<ChangeEvent>[]; delivered: Promise<unknown> }> = [];
    const gatedSink = (sink: TaskSink): TaskSink => ({
      ...sink,
      // Not async, and keeping only WeakRefs: the test must not hold the events itself.
      deliver: (events) => {
        const delivered = sink.deliver(events);
        if (!isClosed) return delivered;
        handed.push({ refs: events.map((event) => new WeakRef(event)), delivered });
        return delivered.then((report) => gate.then(() => report));
      },
    });

    const run = runTask({
      ...base,
      // Batches of five events, flushed only when full; two deliveries in flight at most.
      tuning: {
        maxInFlight: 2,
        maxBatchEvents: 5,
        idleFlushMs: 60_000,
        maxBatchDelayMs: 60_000,
        retryInitialMs: 200,
        minuteMs: 1_000,
      },
      openSource: (tuning) =>
        openTaskSource(
          config,
          { taskId: task.id, epoch },
          { retryWindowMs: config.advanced.retryMinutes * tuning.minuteMs },
        ),
      openSink: async (source) => gatedSink(await openTaskSink(config, source)),
    });
    cleanups.push(() => {
      controller.abort('stop');
      return run;
    });
    await waitUntil('the stream to start', async () => {
      const checkpoint = await context.runs.readCheckpoint(task.id);
      return checkpoint?.position ?? undefined;
    });

    isClosed = true;
    handed = [];
    const writer = await sourceConnection(database);
    try {
      // One transaction of twenty one-row INSERTs: twenty rows events in a row.
      const inserts = Array.from(
        { length: 20 },
        (_, i) => `INSERT INTO orders VALUES (${i + 1}, 1, 'n', 1.00, NOW(3));`,
      );
      await writer.query(`BEGIN; ${inserts.join(' ')} COMMIT;`);
    } finally {
      await writer.end();
    }
    await waitUntil('two deliveries handed to Kafka', async () => handed.length >= 2);
    await Promise.all(handed.map((delivery) => delivery.delivered));
    // The runner now waits for room: nothing acknowledged, the window full.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(handed).toHaveLength(2);
    await nextTask();
    collectGarbage();

    // The events of the delivery the runner waits behind (the second) are released too; only
    // the last event read may remain, held by the reader's loop until it reads the next.
    const alive = handed.flatMap(({ refs }) => refs.filter((ref) => ref.deref() !== undefined));
    expect(handed.map(({ refs }) => refs.length)).toEqual([5, 5]);
    expect(alive.length).toBeLessThanOrEqual(1);

    open();
    const folded = await waitUntil('the twenty rows in Kafka', async () => {
      const result = await foldTopic(topic, 'canal-json');
      return result.rows.size === 20 ? result : undefined;
    });
    expect(folded.rows.size).toBe(20);
  });
});
