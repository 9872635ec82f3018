import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTask,
  getPrecheck,
  runPrecheck,
  runPrecheckJob,
  type EngineContext,
} from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  sourceConnection,
} from './fixtures';

/**
 * A precheck that gets no answer ends anyway. The hang is a real one: another session holds
 * `LOCK TABLES … WRITE` on the selected table, so the SELECT privilege item's `SELECT … LIMIT 0`
 * waits for the metadata lock (MariaDB's lock_wait_timeout is a year by default).
 */

let context: EngineContext;
let database: string;
let topic: string;
let lock: Connection | null = null;

beforeAll(async () => {
  context = await engineForTests();
  database = await createOrdersDatabase(3);
  topic = await createTopic(1);
});

afterAll(async () => {
  await releaseLock();
  await dropDatabase(database);
  await context?.close();
});

async function lockOrders(): Promise<void> {
  lock = await sourceConnection();
  await lock.query(`LOCK TABLES \`${database}\`.orders WRITE`);
}

async function releaseLock(): Promise<void> {
  if (!lock) return;
  await lock.query('UNLOCK TABLES');
  await lock.end();
  lock = null;
}

/** Runs the job; a job still running at the deadline fails the test with the task's status. */
async function precheckWithin(
  tuning: { itemTimeoutMs?: number; totalTimeoutMs?: number },
  deadlineMs: number,
) {
  const task = await createTask(context, {
    source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
    destination: { hosts: '127.0.0.1', port: 9092, topic },
    objects: [{ kind: 'table', database, table: 'orders' }],
  });
  await runPrecheck(context, task.id);
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const outcome = await Promise.race([
    runPrecheckJob(context, task.id, tuning).then(() => 'finished' as const),
    deadline,
  ]);
  clearTimeout(timer);
  const stored = await context.tasks.getTask(task.id);
  const report = await getPrecheck(context, task.id);
  if (outcome === 'deadline') {
    throw new Error(
      `The precheck was still running after ${deadlineMs} ms: task ${stored.status}, items ${report.items
        .map((item) => `${item.key}=${item.status}`)
        .join(', ')}`,
    );
  }
  return {
    stored,
    report,
    elapsedMs: Date.now() - startedAt,
    byKey: new Map(report.items.map((item) => [item.key, item])),
  };
}

describe('a precheck that gets no answer', () => {
  it('fails the item that waits on a locked table, names the wait, and checks the rest', async () => {
    await lockOrders();
    try {
      const { stored, report, byKey } = await precheckWithin({ itemTimeoutMs: 2_000 }, 60_000);
      expect(stored.status).toBe('precheck_failed');
      const select = byKey.get('source.select');
      expect(select?.status).toBe('fail');
      expect(select?.message).toMatch(/no answer within 2 s/i);
      expect(select?.remedy).toMatch(/lock/i);
      // The items after it open a fresh session instead of queueing behind the stuck query.
      expect(byKey.get('source.keys')?.status).toBe('pass');
      expect(byKey.get('source.log_bin')?.status).toBe('pass');
      expect(byKey.get('destination.connectivity')?.status).toBe('pass');
      expect(report.items.filter((item) => item.status === 'fail').map((item) => item.key)).toEqual(
        ['source.select'],
      );
      expect(report.isComplete).toBe(true);
    } finally {
      await releaseLock();
    }
  });

  it('ends a precheck that runs out of time, failing every item it did not finish', async () => {
    await lockOrders();
    try {
      const { stored, report, byKey, elapsedMs } = await precheckWithin(
        { itemTimeoutMs: 600_000, totalTimeoutMs: 3_000 },
        60_000,
      );
      expect(elapsedMs).toBeLessThan(30_000);
      expect(stored.status).toBe('precheck_failed');
      expect(stored.statusReason).toMatch(/did not finish within 3 s/i);
      expect(byKey.get('source.connectivity')?.status).toBe('pass');
      const select = byKey.get('source.select');
      expect(select?.status).toBe('fail');
      expect(select?.message).toMatch(/^No answer: the precheck did not finish within 3 s/);
      expect(select?.remedy).toMatch(/lock/i);
      const after = report.items.slice(
        report.items.findIndex((item) => item.key === 'source.select') + 1,
      );
      expect(after.length).toBeGreaterThan(3);
      for (const item of after) {
        expect(item.status, item.key).toBe('fail');
        expect(item.message, item.key).toMatch(
          /^Not checked: the precheck did not finish within 3 s/,
        );
        expect(item.remedy, item.key).toBeTruthy();
      }
      expect(report.isComplete).toBe(true);
    } finally {
      await releaseLock();
    }
  });
});
