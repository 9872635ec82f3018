import type { RunRepository } from '@tidewater/db';

/**
 * What a running task tells the process running it, as it happens, for its metrics (the
 * worker's /metrics). The control database keeps the history the console charts; this is the
 * live view of this process. Ids and figures only: never a row, never a secret.
 */
export interface TaskTelemetry {
  /** The run took the task over (`name` is the operator's name for it). */
  started(task: { id: string; name: string }): void;
  stage(taskId: string, stage: 'schema' | 'full' | 'incremental'): void;
  /** Kafka acknowledged these records (and their bytes) of the stage. */
  delivered(taskId: string, stage: 'full' | 'incremental', records: number, bytes: number): void;
  /** The meter's last sampled rates, and the latency (null: not streaming). */
  sampled(
    taskId: string,
    sample: { recordsPerSecond: number; bytesPerSecond: number; latencyMs: number | null },
  ): void;
  latency(taskId: string, latencyMs: number): void;
  checkpointed(taskId: string): void;
  /** A retry after a failure that can pass: the runner's, or the binlog stream reconnecting. */
  retried(taskId: string): void;
  failed(taskId: string, code: string): void;
  /** The run ended (stopped, failed, completed, handed over): its live figures go. */
  ended(taskId: string): void;
}

export const ignoreTelemetry: TaskTelemetry = {
  started: () => {},
  stage: () => {},
  delivered: () => {},
  sampled: () => {},
  latency: () => {},
  checkpointed: () => {},
  retried: () => {},
  failed: () => {},
  ended: () => {},
};

const STAGES = new Set(['schema', 'full', 'incremental']);

/**
 * The task's run repository, telling the telemetry what went through it: a stage entered, a
 * checkpoint written (once the write succeeded), a retry begun (whether or not the control
 * database took the note: a retry it is all the same).
 */
export function observeRuns(
  runs: RunRepository,
  taskId: string,
  telemetry: TaskTelemetry,
): RunRepository {
  return {
    ...runs,
    async setStage(id, epoch, stage) {
      await runs.setStage(id, epoch, stage);
      if (id === taskId && STAGES.has(stage)) {
        telemetry.stage(taskId, stage as 'schema' | 'full' | 'incremental');
      }
    },
    async writeCheckpoint(...args: Parameters<RunRepository['writeCheckpoint']>) {
      const written = await runs.writeCheckpoint(...args);
      if (args[0] === taskId) telemetry.checkpointed(taskId);
      return written;
    },
    async markRetrying(id, lastError) {
      if (id === taskId) telemetry.retried(taskId);
      await runs.markRetrying(id, lastError);
    },
  };
}
