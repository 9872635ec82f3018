import { TidewaterError, toTidewaterError } from '@tidewater/errors';
import type { AlertContext } from '../alerts';
import { sleep } from '../rate-limit';
import type { RunnerDependencies, RunnerTuning, StopReason } from './run-settings';
import { runStages } from './stages';

/**
 * The task runner: runs the stages (`stages.ts`) and retries what failed for a reason that can
 * pass (a lost connection, a broker outage), with backoff, within the task's retry window; each
 * retry resumes from the last checkpoint. The pipeline each stage runs is one way:
 * source → transform → sink → ack → checkpoint (see `../pipeline/`).
 */

export type { RunnerDependencies, RunnerTuning, StopReason } from './run-settings';

export const DEFAULT_TUNING: RunnerTuning = {
  maxInFlight: 8,
  // One snapshot chunk of the default 4,096 rows (and the next one being sent): what is in
  // flight is most of what the worker holds and what its collector promotes (issue 13).
  maxInFlightRows: 4_096,
  // Measured with the end-to-end bench: 1,000-event batches held events for tens of
  // milliseconds at p99 at 5k events/s; 100 cut that; 20 (a few hundred row changes of a
  // large transaction) lets row images be encoded before the young generation's next
  // collection, which promoted about 40 % fewer bytes, for the same throughput (issue 13).
  maxBatchEvents: 20,
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
