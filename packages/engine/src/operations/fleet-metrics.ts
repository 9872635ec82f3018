import { Gauge, type Registry } from 'prom-client';
import { listHeartbeats } from '@tidewater/db';
import type { EngineContext } from '../context';
import { sharedRead, withTimeout } from './queue-metrics';

/** A worker counts as alive when its heartbeat is younger than this (as on the System page). */
const WORKER_HEARTBEAT_FRESH_MS = 15_000;
const READ_TIMEOUT_MS = 2_000;

/**
 * The installation as the control database sees it, for the web app's /metrics: tasks by
 * status and live workers. The per-task throughput is the worker's to report (it runs them).
 * When PostgreSQL does not answer, these carry no samples and `tidewater_control_read_ok` is 0.
 */
export function registerFleetMetrics(registry: Registry, context: Pick<EngineContext, 'db'>): void {
  const read = sharedRead(() =>
    withTimeout(
      Promise.all([
        context.db.task.groupBy({ by: ['status'], _count: { _all: true } }),
        listHeartbeats(context.db, new Date(Date.now() - WORKER_HEARTBEAT_FRESH_MS)),
      ]),
      READ_TIMEOUT_MS,
      'the control database did not answer',
    ),
  );
  new Gauge({
    name: 'tidewater_control_read_ok',
    help: 'Whether this scrape could read the control database (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await read()) === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'tidewater_workers_alive',
    help: 'Workers whose heartbeat is younger than 15 s.',
    registers: [registry],
    async collect() {
      this.reset();
      const figures = await read();
      if (figures !== null) this.set(figures[1].length);
    },
  });
  new Gauge({
    name: 'tidewater_tasks',
    help: 'Tasks by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await read())?.[0] ?? []) {
        this.set({ status: row.status }, row._count._all);
      }
    },
  });
}
