import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from './log';

/**
 * The BullMQ queues the workers consume:
 * - `precheck`: one job per precheck run of a task.
 * - `run`: one long-running job per task run (schema → full → incremental). BullMQ's job lock
 *   is the lease: a worker renews it while it runs the task; if the worker dies, another
 *   worker's stalled-job check hands the job over within seconds and the task continues from
 *   its checkpoint. The job id is the task's (`run-<taskId>`), so a task has at most one live
 *   run job: two runs of one task never compete, and queueing twice is harmless.
 */
export const QUEUE_NAMES = { precheck: 'precheck', run: 'run' } as const;

/** Lease timing: a dead worker's task is taken over after at most LOCK + STALLED_INTERVAL. */
export const LEASE = { lockDurationMs: 10_000, stalledIntervalMs: 5_000 } as const;

export interface PrecheckJob {
  taskId: string;
}

export interface RunJob {
  taskId: string;
}

export function createRedisConnection(redisUrl: string): Redis {
  // BullMQ needs blocking commands to wait forever; it retries on its own.
  return new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * Logs a Redis connection's outage once, and its return, in the process's log line shape,
 * instead of ioredis's own unformatted line at every reconnect attempt (it reconnects by
 * itself meanwhile).
 */
export function watchRedis(connection: Redis, name: string, log: Logger): void {
  let isDown = false;
  connection.on('error', (error: Error) => {
    if (isDown) return;
    isDown = true;
    log.warn('Redis connection lost; reconnecting', { connection: name, error: error.message });
  });
  connection.on('ready', () => {
    if (!isDown) return;
    isDown = false;
    log.info('Redis connection back', { connection: name });
  });
}

export interface TaskQueues {
  precheck: Queue<PrecheckJob>;
  run: Queue<RunJob>;
  close(): Promise<void>;
}

export function createTaskQueues(connection: ConnectionOptions, prefix: string): TaskQueues {
  const precheck = new Queue<PrecheckJob>(QUEUE_NAMES.precheck, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  const run = new Queue<RunJob>(QUEUE_NAMES.run, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
  });
  return {
    precheck,
    run,
    async close() {
      await Promise.all([precheck.close(), run.close()]);
    },
  };
}

/** The states in which a job still holds (or will take) the work: it needs no new one. */
const LIVE_JOB_STATES: ReadonlySet<string> = new Set([
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
]);

export function isLiveJobState(state: string): boolean {
  return LIVE_JOB_STATES.has(state);
}

/** The one run job id of a task. */
export function runJobId(taskId: string): string {
  return `run-${taskId}`;
}

/**
 * Queues a task's run unless its job is already queued or running; returns whether it queued
 * one. A job that is still active but finishing (a pause, a failure) also counts as live: it
 * re-reads the task's status when its run returns, and the worker re-reads it again once the
 * job is gone (`queueRunIfRunning`), so a resume that lands meanwhile is not lost.
 */
export async function enqueueRun(
  queues: TaskQueues,
  taskId: string,
  options: { delayMs?: number } = {},
): Promise<boolean> {
  const jobId = runJobId(taskId);
  const state = await queues.run.getJobState(jobId);
  if (isLiveJobState(state)) return false;
  // A finished job kept under its id (completed or failed) would make `add` a no-op.
  if (state !== 'unknown') await queues.run.remove(jobId);
  await queues.run.add(
    'run',
    { taskId },
    { jobId, ...(options.delayMs ? { delay: options.delayMs } : {}) },
  );
  return true;
}

export async function enqueuePrecheck(queues: TaskQueues, taskId: string): Promise<void> {
  const jobId = `precheck-${taskId}`;
  const existing = await queues.precheck.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'active' || state === 'waiting') return;
    await existing.remove();
  }
  await queues.precheck.add('precheck', { taskId }, { jobId });
}
