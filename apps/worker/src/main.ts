import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { readEnvironment } from '@tidewater/config/environment';
import { migrateDatabase, recordHeartbeat, removeHeartbeat } from '@tidewater/db';
import {
  checkReadiness,
  createMetricsRegistry,
  createTaskMetrics,
  registerQueueMetrics,
  startOperationsServer,
} from '@tidewater/engine/operations';
import {
  createEngineContext,
  createRedisConnection,
  enqueueRun,
  isRunWantedAgain,
  LEASE,
  QUEUE_NAMES,
  queueRunIfRunning,
  reconcileRuns,
  runPrecheckJob,
  runTaskJob,
  subscribeControl,
  watchRedis,
  type PrecheckJob,
  type RunJob,
} from '@tidewater/engine';
import { isTidewaterError } from '@tidewater/errors';
import { detectAllocator } from './allocator';
import { applyGcMode } from './gc-mode';
import { createIdleMemoryRelease } from './idle-memory';
import { log as processLog } from './log';
import { logProcessWarnings } from './process-warnings';

/**
 * The worker process: consumes the precheck and run queues and runs the engine. Run several
 * for capacity and failover: BullMQ's job lock is each running task's lease, renewed while the
 * task runs; when a worker dies, another one's stalled-job check takes the task over and it
 * continues from its checkpoint.
 */

const HEARTBEAT_INTERVAL_MS = 5_000;
/** How often a running task re-reads its status, in case a control message was missed. */
const STATUS_POLL_MS = 2_000;
/** How long a run job that threw waits before the task's run is queued again. */
const FAILED_RUN_RETRY_MS = 5_000;
/** How long the worker has nothing to run before it gives memory back (idle-memory.ts). */
const IDLE_RELEASE_MS = 2_000;

async function main(): Promise<void> {
  logProcessWarnings(processLog);
  const environment = readEnvironment();
  applyGcMode(environment.TIDEWATER_WORKER_GC);
  await migrateDatabase(environment.DATABASE_URL);
  const context = createEngineContext(environment);
  const prefix = environment.TIDEWATER_QUEUE_PREFIX;
  const identity = {
    id: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date(),
  };
  // Every line of this worker names it.
  const log = processLog.child({ workerId: identity.id });
  const registry = createMetricsRegistry('worker');
  const telemetry = createTaskMetrics(registry);
  registerQueueMetrics(registry, context.queues);
  /** The tasks this worker runs, each with the controller that stops it. */
  const running = new Map<string, AbortController>();
  const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);
  const idleMemory = createIdleMemoryRelease({
    idleMs: IDLE_RELEASE_MS,
    onReleased: ({ rssBefore, rssAfter, durationMs }) =>
      log.info('idle: memory released', {
        rssBeforeMiB: megabytes(rssBefore),
        rssAfterMiB: megabytes(rssAfter),
        durationMs: Math.round(durationMs),
      }),
    onError: (error) => log.warn('idle: memory not released', { error: text(error) }),
  });
  // Starting counts as busy: the first release comes once the worker has started and idled.
  idleMemory.begin();
  const whileBusy = async <T>(work: () => Promise<T>): Promise<T> => {
    idleMemory.begin();
    try {
      return await work();
    } finally {
      idleMemory.end();
    }
  };

  const precheckWorker = new Worker<PrecheckJob>(
    QUEUE_NAMES.precheck,
    (job) =>
      whileBusy(async () => {
        log.info('precheck started', { taskId: job.data.taskId });
        await runPrecheckJob(context, job.data.taskId);
        log.info('precheck finished', { taskId: job.data.taskId });
      }),
    { connection: createRedisConnection(environment.REDIS_URL), prefix, concurrency: 4 },
  );

  /** One run of the task: stopped by control messages and the status poll. */
  const runOnce = async (taskId: string) => {
    const controller = new AbortController();
    running.set(taskId, controller);
    const poll = setInterval(() => {
      void context.runs
        .readRunState(taskId)
        .then((state) => {
          if (state.status !== 'running')
            controller.abort(
              state.status === 'paused'
                ? 'pause'
                : state.status === 'released'
                  ? 'release'
                  : 'stop',
            );
        })
        .catch((error: unknown) => log.warn('status poll failed', { taskId, error: text(error) }));
    }, STATUS_POLL_MS);
    try {
      log.info('task run started', { taskId });
      const outcome = await runTaskJob(context, taskId, {
        signal: controller.signal,
        workerId: identity.id,
        log: (level, message, fields) => log[level](message, fields),
        telemetry,
      });
      log.info('task run ended', { taskId, outcome: outcome?.kind ?? 'skipped' });
      return outcome;
    } finally {
      clearInterval(poll);
      running.delete(taskId);
    }
  };

  const runWorker = new Worker<RunJob>(
    QUEUE_NAMES.run,
    (job) =>
      whileBusy(async () => {
        const { taskId } = job.data;
        // Resumed or restarted while this job was still active: the API's enqueue found this
        // job and added nothing, so the job runs the task again itself.
        while (await isRunWantedAgain(context, taskId, await runOnce(taskId))) {
          log.info('task set running again while its run ended; running it again', { taskId });
        }
      }),
    {
      connection: createRedisConnection(environment.REDIS_URL),
      prefix,
      concurrency: 50,
      lockDuration: LEASE.lockDurationMs,
      stalledInterval: LEASE.stalledIntervalMs,
      // A task is long-running by design: a stall means its worker died, and the task must be
      // taken over however often that happens.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    },
  );
  for (const worker of [precheckWorker, runWorker]) {
    worker.on('failed', (job, error) => {
      log.error('job failed', {
        queue: worker.name,
        taskId: job?.data.taskId,
        error: error.message,
      });
    });
    worker.on('error', (error) =>
      log.error('queue error', { queue: worker.name, error: error.message }),
    );
  }
  let isStopping = false;
  // The last look at a task once its run job is gone: a resume or restart that raced the end
  // of the job found it still active and queued nothing; this read comes after the job's
  // removal, so it sees that status change (see run-job.ts).
  const afterRunJob = (taskId: string | undefined, delayMs = 0) => {
    if (taskId === undefined || isStopping) return;
    queueRunIfRunning(context, taskId, { delayMs })
      .then((isQueued) => {
        if (isQueued) log.info('task running after its job ended; run queued', { taskId });
      })
      .catch((error: unknown) =>
        log.warn('run not re-queued after its job ended', { taskId, error: text(error) }),
      );
  };
  runWorker.on('completed', (job) => afterRunJob(job.data.taskId));
  // A job that threw (PostgreSQL unreachable, a configuration this worker cannot read) is
  // tried again after a pause, not at once.
  runWorker.on('failed', (job) => afterRunJob(job?.data.taskId, FAILED_RUN_RETRY_MS));

  const subscriber = createRedisConnection(environment.REDIS_URL);
  watchRedis(context.redis, 'queues', log);
  watchRedis(subscriber, 'control', log);
  const unsubscribe = await subscribeControl(subscriber, prefix, (message) => {
    running.get(message.taskId)?.abort(message.action);
  });

  const beat = async () => {
    try {
      await recordHeartbeat(context.db, identity);
    } catch (error) {
      log.warn('heartbeat not recorded', { error: text(error) });
    }
  };
  await beat();
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);

  // Every running task has a run job: repairs what the API and the jobs could not (a worker
  // that died between, PostgreSQL unreachable, a job removed from Redis).
  const reconcileEveryMs = environment.TIDEWATER_RECONCILE_INTERVAL_MS;
  let reconciling: Promise<unknown> = Promise.resolve();
  const reconcile = () => {
    reconciling = reconcileRuns(context, {
      workerId: identity.id,
      // A little less than the interval, so the next tick of some worker finds it free; never
      // longer than the default interval, so a worker set to a long one silences no other.
      holdMs: Math.max(250, Math.min(reconcileEveryMs, 5_000) - 250),
      log: (level, message, fields) => log[level](message, fields),
    }).catch((error: unknown) => log.warn('run reconciliation failed', { error: text(error) }));
  };
  reconcile();
  const reconciler = setInterval(reconcile, reconcileEveryMs);

  // /livez, /readyz, /metrics for the orchestrator and Prometheus (see the README,
  // "Operations"). Ready while PostgreSQL and Redis answer and both queue consumers run.
  const operations = await startOperationsServer(
    {
      registry,
      metricsToken: environment.TIDEWATER_METRICS_TOKEN,
      log,
      readiness: () =>
        checkReadiness(context, [
          {
            name: 'queue-workers',
            check: () => {
              const stopped = [precheckWorker, runWorker].filter((worker) => !worker.isRunning());
              if (isStopping) throw new Error('the worker is stopping');
              if (stopped.length > 0) {
                throw new Error(
                  `not consuming: ${stopped.map((worker) => worker.name).join(', ')}`,
                );
              }
              return `consuming ${precheckWorker.name} and ${runWorker.name}.`;
            },
          },
        ]),
    },
    {
      host: environment.TIDEWATER_WORKER_HTTP_HOST,
      port: environment.TIDEWATER_WORKER_HTTP_PORT,
    },
  );
  log.info('worker started', {
    id: identity.id,
    http: `${environment.TIDEWATER_WORKER_HTTP_HOST}:${operations.port}`,
    allocator: detectAllocator(),
    gc: environment.TIDEWATER_WORKER_GC,
  });
  idleMemory.end();

  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    log.info('worker stopping', { signal, tasks: [...running.keys()] });
    idleMemory.close();
    clearInterval(heartbeat);
    clearInterval(reconciler);
    await reconciling;
    const interrupted = [...running.keys()];
    for (const controller of running.values()) controller.abort('shutdown');
    // Running tasks checkpoint what Kafka acknowledged and return; then their jobs complete.
    await Promise.all([precheckWorker.close(), runWorker.close()]);
    // Hand the interrupted tasks to the other workers (or to this one's successor).
    for (const taskId of interrupted) {
      const state = await context.runs.readRunState(taskId);
      if (state.status === 'running') await enqueueRun(context.queues, taskId);
    }
    await unsubscribe();
    subscriber.disconnect();
    await removeHeartbeat(context.db, identity.id);
    await context.close();
    await operations.close();
    log.info('worker stopped');
    process.exit(0);
  };
  const stopOn = (signal: string) => {
    stop(signal).catch((error: unknown) => {
      log.error('worker did not stop cleanly', { signal, error: text(error) });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stopOn('SIGTERM'));
  process.on('SIGINT', () => stopOn('SIGINT'));
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  if (isTidewaterError(error)) {
    processLog.error(error.message, { code: error.code, remedy: error.remedy });
  } else {
    processLog.error('worker failed to start', { error: text(error) });
  }
  process.exit(1);
});
