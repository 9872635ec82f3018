import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { readEnvironment } from '@tidewater/config/environment';
import { migrateDatabase, recordHeartbeat, removeHeartbeat } from '@tidewater/db';
import {
  createEngineContext,
  createRedisConnection,
  QUEUE_NAMES,
  runPrecheckJob,
  type PrecheckJob,
} from '@tidewater/engine';
import { isTidewaterError } from '@tidewater/errors';
import { log } from './log';

/**
 * The worker process: consumes the task queues and runs the engine's stages. One process can
 * serve many tasks; run several for capacity and failover.
 */

const HEARTBEAT_INTERVAL_MS = 5_000;

async function main(): Promise<void> {
  const environment = readEnvironment();
  await migrateDatabase(environment.DATABASE_URL);
  const context = createEngineContext(environment);
  const identity = {
    id: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date(),
  };

  const precheckWorker = new Worker<PrecheckJob>(
    QUEUE_NAMES.precheck,
    async (job) => {
      log.info('precheck started', { taskId: job.data.taskId });
      await runPrecheckJob(context, job.data.taskId);
      log.info('precheck finished', { taskId: job.data.taskId });
    },
    {
      connection: createRedisConnection(environment.REDIS_URL),
      prefix: environment.TIDEWATER_QUEUE_PREFIX,
      concurrency: 4,
    },
  );
  precheckWorker.on('failed', (job, error) => {
    log.error('precheck job failed', { taskId: job?.data.taskId, error: error.message });
  });

  const beat = async () => {
    try {
      await recordHeartbeat(context.db, identity);
    } catch (error) {
      log.warn('heartbeat not recorded', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  await beat();
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);
  log.info('worker started', { id: identity.id });

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    log.info('worker stopping', { signal });
    clearInterval(heartbeat);
    // Lets running jobs finish their current step; they checkpoint before returning.
    await precheckWorker.close();
    await removeHeartbeat(context.db, identity.id);
    await context.close();
    log.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (isTidewaterError(error)) {
    log.error(error.message, { code: error.code, remedy: error.remedy });
  } else {
    log.error('worker failed to start', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  process.exit(1);
});
