import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** The BullMQ queues the worker consumes. Job ids are task ids, so a task is queued at most once. */
export const QUEUE_NAMES = { precheck: 'precheck' } as const;

export interface PrecheckJob {
  taskId: string;
}

export function createRedisConnection(redisUrl: string): Redis {
  // BullMQ needs blocking commands to wait forever; it retries on its own.
  return new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export interface TaskQueues {
  precheck: Queue<PrecheckJob>;
  close(): Promise<void>;
}

export function createTaskQueues(connection: ConnectionOptions, prefix: string): TaskQueues {
  const precheck = new Queue<PrecheckJob>(QUEUE_NAMES.precheck, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  });
  return {
    precheck,
    async close() {
      await precheck.close();
    },
  };
}
