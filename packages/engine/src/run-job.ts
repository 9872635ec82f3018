import type { TaskStatus } from '@tidewater/config';
import type { EngineContext } from './context';
import { raiseAlert } from './alerts';
import { createSinkPort } from './runner/sink-adapter';
import { createSourcePort, type SourceTuning } from './runner/source-adapter';
import { runTask, type RunOutcome, type RunnerTuning } from './runner/task-runner';

/**
 * One run of a task on this worker: takes the task over (fencing the previous holder), runs
 * its stages, and records the outcome. Returns what happened so the worker can re-queue a
 * task it gave up only because it is shutting down.
 */

export interface RunJobOptions {
  signal: AbortSignal;
  workerId: string;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  tuning?: Partial<RunnerTuning>;
  /** Snapshot chunk size and readers; tests shrink chunks to make a full migration last. */
  sourceTuning?: Partial<Pick<SourceTuning, 'chunkSize' | 'concurrency'>>;
}

export async function runTaskJob(
  context: EngineContext,
  taskId: string,
  options: RunJobOptions,
): Promise<RunOutcome | null> {
  const { tasks, runs } = context;
  const task = await tasks.getTask(taskId);
  if (task.status !== 'running') {
    options.log('info', 'run skipped: task is not running', { taskId, status: task.status });
    return null;
  }
  const epoch = await runs.takeOver(taskId);
  const config = await tasks.readTaskConfig(taskId);
  await tasks.appendEvent(taskId, {
    level: 'info',
    kind: 'worker_took_over',
    message: `Worker ${options.workerId} runs the task.`,
    data: { epoch },
  });
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
    openSource: (tuning) =>
      createSourcePort(
        config,
        { taskId, epoch },
        {
          ...options.sourceTuning,
          retryWindowMs: config.advanced.retryMinutes * tuning.minuteMs,
        },
        options.log,
      ),
    openSink: (source) => createSinkPort(config, source),
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
        await raiseAlert(
          {
            runs,
            task: { id: taskId, name: task.name },
            contacts: config.advanced.alerts.enabled ? config.advanced.alerts.contacts : [],
          },
          'task_failed',
          `Task ${task.name} failed: ${error.message}`,
        );
      }
      options.log('error', 'task failed', { taskId, code: error.code, error: error.message });
      break;
    }
  }
  return outcome;
}
