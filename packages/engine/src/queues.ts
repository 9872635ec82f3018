import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * The BullMQ queues the workers consume:
 * - `precheck`: one job per precheck run of a task.
 * - `run`: one long-running job per task run (schema → full → incremental). BullMQ's job lock
 *   is the lease: a worker renews it while it runs the task; if the worker dies, another
 *   worker's stalled-job check hands the job over within seconds and the task continues from
 *   its checkpoint. Job ids carry the task id, so a task runs at most once at a time.
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

/** Queues a task's run unless it is already queued or running. */
export async function enqueueRun(queues: TaskQueues, taskId: string): Promise<void> {
  const jobId = `run-${taskId}`;
  const existing = await queues.run.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized')
      return;
    await existing.remove();
  }
  await queues.run.add('run', { taskId }, { jobId });
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
