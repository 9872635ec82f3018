import type { TaskStatus } from '@tidewater/config';
import type { EngineContext } from './context';
import { AlertDelivery, type AlertDeliveryTuning } from './alert-delivery';
import { raiseAlert, type AlertContext } from './alerts';
import { enqueueRun } from './queues';
import { openTaskSink } from './pipeline/sink';
import { openTaskSource, type SourceTuning } from './pipeline/source';
import { runTask, type RunOutcome, type RunnerTuning } from './runner/task-runner';
import { ignoreTelemetry, observeRuns, type TaskTelemetry } from './task-telemetry';

/**
 * One run of a task on this worker: takes the task over (fencing the previous holder), runs
 * its stages, and records the outcome. Returns what happened so the worker can re-queue a
 * task it gave up only because it is shutting down. Alert notices of the run are sent in the
 * background and stop with it: the run ends once they are delivered or their short grace is
 * over (a notice that did not make it is recorded on its alert).
 *
 * A running task never stays without a run job. The API changes the status first and queues
 * the run second; the task's job id is fixed (`run-<taskId>`), so while the previous job is
 * still active (finishing a pause, a failure) that enqueue adds nothing. Two re-reads of the
 * stored status close the gap:
 * 1. `isRunWantedAgain`: when a run returns, its job re-reads the status and, if the task is
 *    running again (resumed, restarted), runs it again in the same job.
 * 2. `queueRunIfRunning`: once BullMQ has removed the finished job, the worker re-reads the
 *    status and queues a run if the task is running. An enqueue by the API reads the job
 *    state after its own status change; this read follows the job's removal: whichever comes
 *    second sees the other, so a status change that raced the end of the job is never lost.
 * What both miss (the worker died in between, PostgreSQL was unreachable, a job was removed
 * from Redis) the reconciler (`reconciler.ts`) repairs within a few seconds.
 */

export interface RunJobOptions {
  signal: AbortSignal;
  workerId: string;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  tuning?: Partial<RunnerTuning>;
  alertDelivery?: Partial<AlertDeliveryTuning>;
  /** Snapshot chunk size and readers; tests shrink chunks to make a full migration last. */
  sourceTuning?: Partial<Pick<SourceTuning, 'chunkSize' | 'concurrency'>>;
  /** Where the run's live figures go (the worker's metrics). */
  telemetry?: TaskTelemetry;
}

export async function runTaskJob(
  context: EngineContext,
  taskId: string,
  options: RunJobOptions,
): Promise<RunOutcome | null> {
  const { tasks } = context;
  const telemetry = options.telemetry ?? ignoreTelemetry;
  const runs = observeRuns(context.runs, taskId, telemetry);
  const task = await tasks.getTask(taskId);
  if (task.status !== 'running') {
    options.log('info', 'run skipped: task is not running', { taskId, status: task.status });
    return null;
  }
  // Read before taking over: a worker that cannot open the configuration (a different secret
  // key) must not fence the worker that can.
  const config = await tasks.readTaskConfig(taskId);
  const epoch = await runs.takeOver(taskId);
  telemetry.started({ id: taskId, name: task.name });
  await tasks.appendEvent(taskId, {
    level: 'info',
    kind: 'worker_took_over',
    message: `Worker ${options.workerId} runs the task.`,
    data: { epoch },
  });
  const alertDelivery = new AlertDelivery(runs, options.log, options.alertDelivery);
  const alerts: AlertContext = {
    runs,
    task: { id: taskId, name: task.name },
    contacts: config.advanced.alerts.enabled ? config.advanced.alerts.contacts : [],
    delivery: alertDelivery,
  };
  try {
    const outcome = await runTask({
      taskId,
      taskName: task.name,
      epoch,
      config,
      tasks,
      runs,
      signal: options.signal,
      log: options.log,
      tuning: options.tuning,
      alertDelivery,
      telemetry,
      openSource: (tuning) =>
        openTaskSource(
          config,
          { taskId, epoch },
          {
            ...options.sourceTuning,
            retryWindowMs: config.advanced.retryMinutes * tuning.minuteMs,
          },
          options.log,
          telemetry,
        ),
      openSink: (source) => openTaskSink(config, source),
    });
    switch (outcome.kind) {
      case 'completed': {
        if (await runs.compareAndSetStatus(taskId, ['running'], 'completed', { stage: null })) {
          await tasks.appendEvent(taskId, {
            level: 'info',
            kind: 'completed',
            message: 'Task completed.',
          });
        }
        break;
      }
      case 'stopped':
        options.log('info', 'run stopped', { taskId, reason: outcome.reason });
        break;
      case 'failed': {
        const error = outcome.error;
        telemetry.failed(taskId, error.code);
        const offer =
          error.code === 'BINLOG_PURGED'
            ? ' Restart the task with a fresh full migration (POST /api/tasks/{id}/restart {"fromScratch": true}) to continue from a new snapshot.'
            : '';
        const reason = `${error.code}: ${error.message}`;
        if (
          await runs.compareAndSetStatus(taskId, ['running'], 'failed' satisfies TaskStatus, {
            statusReason: reason,
          })
        ) {
          await tasks.appendEvent(taskId, {
            level: 'error',
            kind: 'failed',
            message: `${error.message} ${error.remedy}${offer}`,
            data: { ...error.toJSON(), canRestartFromScratch: error.code === 'BINLOG_PURGED' },
          });
          await raiseAlert(alerts, 'task_failed', `Task ${task.name} failed: ${error.message}`);
        }
        options.log('error', 'task failed', { taskId, code: error.code, error: error.message });
        break;
      }
    }
    return outcome;
  } finally {
    telemetry.ended(taskId);
    await alertDelivery.close();
  }
}

/**
 * Whether the job should run the task again right away: its run returned (paused, failed,
 * skipped, completed) but the stored status is `running` again, because the operator resumed
 * or restarted it while this job was still active. Not after a shutdown or a lost lease:
 * then the successor, or the worker that took the task over, runs it.
 */
export async function isRunWantedAgain(
  context: EngineContext,
  taskId: string,
  outcome: RunOutcome | null,
): Promise<boolean> {
  if (
    outcome?.kind === 'stopped' &&
    (outcome.reason === 'shutdown' || outcome.reason === 'lease_lost')
  ) {
    return false;
  }
  const { status } = await context.runs.readRunState(taskId);
  return status === 'running';
}

/**
 * Queues a run for a task that is running; called once the task's previous job is gone
 * (completed, or failed with `delayMs` so a job that keeps failing does not spin). Returns
 * whether a run was queued.
 */
export async function queueRunIfRunning(
  context: EngineContext,
  taskId: string,
  options: { delayMs?: number } = {},
): Promise<boolean> {
  const { status } = await context.runs.readRunState(taskId);
  if (status !== 'running') return false;
  return enqueueRun(context.queues, taskId, options);
}
