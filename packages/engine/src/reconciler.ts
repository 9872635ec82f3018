import type { EngineContext } from './context';
import { enqueueRun, isLiveJobState, runJobId } from './queues';

/**
 * The run reconciler: every task whose status is `running` has exactly one live run job. The
 * service functions and the run job keep that true on their own (see `run-job.ts`); this pass
 * repairs what they cannot see: a worker that died between a job's end and its re-queue,
 * PostgreSQL unreachable at that moment, a job removed from Redis.
 *
 * Every worker runs it on a timer; a Redis key held for most of the interval lets one worker
 * per interval do the pass, and the fixed job id (`run-<taskId>`) makes a second enqueue a
 * no-op anyway. A pass is one query (the running tasks' ids) and one job-state read per
 * running task.
 */

export interface ReconcileOptions {
  workerId: string;
  /** How long this pass keeps the other workers from starting one (about the interval). */
  holdMs: number;
  log(level: 'warn', message: string, fields?: Record<string, unknown>): void;
}

/** Job states read at once; bounds the requests in flight for a large fleet of tasks. */
const STATE_BATCH = 100;

/** Runs one pass unless another worker did one within `holdMs`; returns the re-queued task ids. */
export async function reconcileRuns(
  context: EngineContext,
  options: ReconcileOptions,
): Promise<string[]> {
  const key = `${context.environment.TIDEWATER_QUEUE_PREFIX}:run-reconciler`;
  const isOurs = await context.redis.set(key, options.workerId, 'PX', options.holdMs, 'NX');
  if (isOurs !== 'OK') return [];

  const running = await context.runs.listRunningTaskIds();
  const missing: string[] = [];
  for (let start = 0; start < running.length; start += STATE_BATCH) {
    const batch = running.slice(start, start + STATE_BATCH);
    const states = await Promise.all(
      batch.map((taskId) => context.queues.run.getJobState(runJobId(taskId))),
    );
    batch.forEach((taskId, index) => {
      if (!isLiveJobState(states[index]!)) missing.push(taskId);
    });
  }

  const requeued: string[] = [];
  for (const taskId of missing) {
    // Paused, stopped or released since the list was read: its job ended for a reason.
    const { status } = await context.runs.readRunState(taskId);
    if (status !== 'running') continue;
    if (!(await enqueueRun(context.queues, taskId))) continue;
    options.log('warn', 'running task had no run job; queued it again', { taskId });
    await context.tasks.appendEvent(taskId, {
      level: 'warning',
      kind: 'run_requeued',
      message:
        'The task was running without a worker (its run job had ended or was lost); the run was queued again and continues from the checkpoint.',
      data: { workerId: options.workerId },
    });
    requeued.push(taskId);
  }
  return requeued;
}
