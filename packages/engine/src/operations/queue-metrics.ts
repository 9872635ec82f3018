import { Gauge, type Registry } from 'prom-client';
import type { TaskQueues } from '../queues';

/** The job states a scrape reports; waiting + delayed + prioritized is the queue's depth. */
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
/** A scrape does not wait for a Redis that does not answer (its commands queue until it does). */
const QUEUE_READ_TIMEOUT_MS = 2_000;

/**
 * BullMQ queue depths, read from Redis at each scrape: `tidewater_queue_jobs{queue,state}`.
 * When Redis does not answer, the scrape carries no queue figures and
 * `tidewater_queue_read_ok` is 0, instead of the whole scrape failing.
 */
export function registerQueueMetrics(registry: Registry, queues: TaskQueues): void {
  const read = sharedRead(() =>
    withTimeout(
      Promise.all(
        [queues.precheck, queues.run].map(async (queue) => ({
          queue: queue.name,
          counts: await queue.getJobCounts(...STATES),
        })),
      ),
      QUEUE_READ_TIMEOUT_MS,
      'the queue depths were not read',
    ),
  );
  new Gauge({
    name: 'tidewater_queue_read_ok',
    help: 'Whether this scrape could read the queue depths from Redis (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await read()) === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'tidewater_queue_jobs',
    help: 'BullMQ jobs by queue and state (waiting + delayed + prioritized: the depth).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { queue, counts } of (await read()) ?? []) {
        for (const state of STATES) this.set({ queue, state }, counts[state] ?? 0);
      }
    },
  });
}

/**
 * One read per scrape for the gauges that share it (a registry collects its metrics at once):
 * callers while a read is under way get that read. A failed read is null; the scrape still
 * answers, and its `…_read_ok` gauge says so (/readyz says why).
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T | null> {
  let pending: Promise<T | null> | null = null;
  return () => {
    pending ??= read()
      .catch(() => null)
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
