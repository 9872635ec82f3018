import type { TaskConfig } from '@tidewater/config';
import type { RunRepository, TaskRepository } from '@tidewater/db';
import type { AlertContext } from '../alerts';
import type { TaskTelemetry } from '../task-telemetry';
import type { TaskSink } from '../pipeline/sink';
import type { TaskSource } from '../pipeline/source';

/**
 * What a run is given and how it is tuned: shared by the task runner (`task-runner.ts`) and the
 * stages it runs (`stages.ts`, `full-migration.ts`, `incremental-migration.ts`), which import
 * it from here rather than from the runner that imports them.
 */

export type StopReason = 'pause' | 'stop' | 'release' | 'shutdown' | 'lease_lost';

export interface RunnerDependencies {
  taskId: string;
  taskName: string;
  epoch: number;
  config: TaskConfig;
  tasks: TaskRepository;
  runs: RunRepository;
  openSource(tuning: RunnerTuning): Promise<TaskSource>;
  openSink(source: { version: string; timeZone: string }): Promise<TaskSink>;
  /** Aborted when the operator pauses, stops or releases, or the worker shuts down. */
  signal: AbortSignal;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  tuning?: Partial<RunnerTuning>;
  /** Sends alert notices in the background; the caller closes it when the run ends. */
  alertDelivery: AlertContext['delivery'];
  /** The live figures of this process (the worker's /metrics); `ignoreTelemetry` in tests. */
  telemetry?: TaskTelemetry;
}

export interface RunnerTuning {
  /** Deliveries in flight at once; order is kept by OrderedAcks and the sink. */
  maxInFlight: number;
  /**
   * Rows (snapshot rows, binlog row changes) in flight at once (see OrderedAcks), whatever
   * `maxInFlight` allows: a row in flight costs its image, its encoded message and the
   * producer's request bytes (about 2 KB for the sysbench row as Canal JSON). An incremental
   * batch of `maxBatchEvents` rows events (each at most ~8 KiB of binlog, the server's
   * binlog_row_event_max_size) carries up to a few hundred row changes. Since the sink writes
   * its own Produce requests, 8,192 with snapshot chunks of 4,096 cost the end-to-end bench no
   * throughput against 16,384 with chunks of 8,192, and the worker's peak RSS was 20–40 MB
   * lower; 4,096 (one chunk and the next) again cost no throughput and took the peak about
   * 10 MB lower (issue 13's note).
   */
  maxInFlightRows: number;
  /** Events per delivery in incremental migration. */
  maxBatchEvents: number;
  /** Flush a partial batch when no event arrived for this long (ms). */
  idleFlushMs: number;
  /** Flush a partial batch once its oldest event waited this long (ms), however busy. */
  maxBatchDelayMs: number;
  /** Write checkpoints at most this often (ms); always at the end of a table and on stop. */
  checkpointIntervalMs: number;
  /** Backoff between retries of a failed connection. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** The length of a "minute" of the retry window; tests shorten it. */
  minuteMs: number;
}

/**
 * Now minus an event's commit time. Binlog event times (MySQL 5.7, MariaDB) have one-second
 * resolution, so the commit happened somewhere in [t, t + 1 s): the middle of that second is
 * used, which halves the worst error and removes the half-second bias of using its start.
 */
export function latencySince(eventTimestampMs: number, now = Date.now()): number {
  return Math.max(0, now - (eventTimestampMs + 500));
}
