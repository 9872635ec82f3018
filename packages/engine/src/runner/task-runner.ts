import type { TaskConfig } from '@tidewater/config';
import type { RunRepository, TaskRepository } from '@tidewater/db';
import { TidewaterError, toTidewaterError } from '@tidewater/errors';
import type { AlertContext } from '../alerts';
import { sleep } from '../rate-limit';
import type { TaskSink } from '../pipeline/sink';
import type { TaskSource } from '../pipeline/source';
import { runStages } from './stages';

/**
 * The task runner: runs the stages (`stages.ts`) and retries what failed for a reason that can
 * pass (a lost connection, a broker outage), with backoff, within the task's retry window; each
 * retry resumes from the last checkpoint. The pipeline each stage runs is one way:
 * source → transform → sink → ack → checkpoint (see `../pipeline/`).
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
}

export interface RunnerTuning {
  /** Deliveries in flight at once; order is kept by OrderedAcks and the sink. */
  maxInFlight: number;
  /**
   * Snapshot rows in flight at once (see OrderedAcks), whatever `maxInFlight` allows: a row in
   * flight costs its image, its encoded message and the producer's request bytes (about 2 KB
   * for the sysbench row as Canal JSON). Incremental batches are bounded by `maxBatchEvents`
   * (a rows event is at most ~8 KiB of binlog, the server's binlog_row_event_max_size) and a
   * row limit there cost a quarter of the streaming throughput in the end-to-end bench.
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

export const DEFAULT_TUNING: RunnerTuning = {
  maxInFlight: 8,
  // Two snapshot chunks of the default 8,192 rows: eight of them (65k rows, ~130 MB with their
  // messages) were most of the worker's peak RSS, and two keep the producer busy.
  maxInFlightRows: 16_384,
  // Measured with the end-to-end bench (5k events/s in small transactions): 1,000-event
  // batches held events for tens of milliseconds at p99; 100 keeps throughput and cuts that.
  maxBatchEvents: 100,
  idleFlushMs: 1,
  maxBatchDelayMs: 10,
  checkpointIntervalMs: 500,
  retryInitialMs: 1_000,
  retryMaxMs: 30_000,
  minuteMs: 60_000,
};

export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'stopped'; reason: StopReason }
  | { kind: 'failed'; error: TidewaterError };

export async function runTask(deps: RunnerDependencies): Promise<RunOutcome> {
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const retryWindowMs = deps.config.advanced.retryMinutes * tuning.minuteMs;
  const alerts: AlertContext = {
    runs: deps.runs,
    task: { id: deps.taskId, name: deps.taskName },
    contacts: deps.config.advanced.alerts.enabled ? deps.config.advanced.alerts.contacts : [],
    delivery: deps.alertDelivery,
  };
  let firstFailureAt: number | null = null;
  let backoff = tuning.retryInitialMs;
  for (;;) {
    try {
      await runStages(deps, tuning, alerts, () => {
        if (firstFailureAt !== null) {
          firstFailureAt = null;
          backoff = tuning.retryInitialMs;
          // Bookkeeping: a write that fails (the control database restarting) is logged,
          // never left to reject unhandled, and does not stop the stage.
          Promise.all([
            deps.runs.clearRetrying(deps.taskId),
            deps.tasks.appendEvent(deps.taskId, {
              level: 'info',
              kind: 'recovered',
              message: 'The connection is back; the task continues.',
            }),
          ]).catch((error: unknown) => logNotRecorded(deps, 'recovery', error));
        }
      });
      if (deps.signal.aborted) return { kind: 'stopped', reason: stopReason(deps.signal) };
      return { kind: 'completed' };
    } catch (error) {
      if (deps.signal.aborted) return { kind: 'stopped', reason: stopReason(deps.signal) };
      const failure = toTidewaterError(error);
      if (failure.code === 'TASK_LEASE_LOST') return { kind: 'stopped', reason: 'lease_lost' };
      if (!failure.isRetryable) return { kind: 'failed', error: failure };
      const now = Date.now();
      firstFailureAt ??= now;
      if (now - firstFailureAt >= retryWindowMs) {
        return {
          kind: 'failed',
          error: new TidewaterError(
            'RETRY_WINDOW_EXCEEDED',
            `${failure.message} Retried for ${deps.config.advanced.retryMinutes} minute(s) without success.`,
            {
              category: 'unavailable',
              remedy: `${failure.remedy} Then restart the task: it continues from its checkpoint.`,
              details: { lastError: failure.toJSON() },
              cause: failure,
            },
          ),
        };
      }
      deps.log('warn', 'connection failed; retrying', {
        taskId: deps.taskId,
        code: failure.code,
        backoffMs: backoff,
      });
      try {
        await deps.runs.markRetrying(deps.taskId, `${failure.code}: ${failure.message}`);
        await deps.tasks.appendEvent(deps.taskId, {
          level: 'warning',
          kind: 'retrying',
          message: `${failure.message} Retrying in ${Math.round(backoff / 1000)} s.`,
          data: failure.toJSON(),
        });
      } catch (error) {
        // The control database may be what failed: retry all the same.
        logNotRecorded(deps, 'retry', error);
      }
      try {
        await sleep(backoff, deps.signal);
      } catch {
        return { kind: 'stopped', reason: stopReason(deps.signal) };
      }
      backoff = Math.min(tuning.retryMaxMs, backoff * 2);
    }
  }
}

function logNotRecorded(deps: RunnerDependencies, what: string, error: unknown): void {
  const failure = toTidewaterError(error);
  deps.log('warn', `${what} not recorded`, {
    taskId: deps.taskId,
    code: failure.code,
    error: failure.message,
  });
}

function stopReason(signal: AbortSignal): StopReason {
  const reason = signal.reason as unknown;
  return typeof reason === 'string' && ['pause', 'stop', 'release', 'shutdown'].includes(reason)
    ? (reason as StopReason)
    : 'shutdown';
}

/**
 * Now minus an event's commit time. Binlog event times (MySQL 5.7, MariaDB) have one-second
 * resolution, so the commit happened somewhere in [t, t + 1 s): the middle of that second is
 * used, which halves the worst error and removes the half-second bias of using its start.
 */
export function latencySince(eventTimestampMs: number, now = Date.now()): number {
  return Math.max(0, now - (eventTimestampMs + 500));
}
