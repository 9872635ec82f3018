import { Counter, Gauge, type Registry } from 'prom-client';
import type { TaskTelemetry } from '../task-telemetry';

/**
 * The per-task figures of the tasks this process runs, as Prometheus metrics. Labels are the
 * task's id and name (and the stage, or an error code): never a row, a host or a secret.
 *
 * Counters (records, bytes, rows copied, retries, failures) stay for every task this process
 * ran (as many series as tasks), so a rate() across a run's end stays right; the live gauges
 * (rates, latency, stage, checkpoint age) go when the task's run ends here: another worker
 * may be running it now, and reports them itself.
 */
export function createTaskMetrics(registry: Registry): TaskTelemetry {
  const names = new Map<string, string>();
  const lastCheckpointAt = new Map<string, number>();
  const labelsOf = (taskId: string) => ({ task_id: taskId, task_name: names.get(taskId) ?? '' });
  const taskLabels = ['task_id', 'task_name'] as const;

  const records = new Counter({
    name: 'tidewater_task_records_total',
    help: 'Records (rows and changes) delivered to Kafka and acknowledged, by stage.',
    labelNames: [...taskLabels, 'stage'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'tidewater_task_bytes_total',
    help: 'Bytes of the records delivered to Kafka and acknowledged, by stage.',
    labelNames: [...taskLabels, 'stage'],
    registers: [registry],
  });
  const rowsCopied = new Counter({
    name: 'tidewater_task_rows_copied_total',
    help: 'Rows the full migration copied to Kafka (acknowledged).',
    labelNames: taskLabels,
    registers: [registry],
  });
  const recordsPerSecond = new Gauge({
    name: 'tidewater_task_records_per_second',
    help: 'Records per second over the last sample (about 2 s) of the running stage.',
    labelNames: taskLabels,
    registers: [registry],
  });
  const bytesPerSecond = new Gauge({
    name: 'tidewater_task_bytes_per_second',
    help: 'Bytes per second over the last sample (about 2 s) of the running stage.',
    labelNames: taskLabels,
    registers: [registry],
  });
  const latency = new Gauge({
    name: 'tidewater_task_latency_seconds',
    help: 'Incremental migration: now minus the commit time of the last delivered change.',
    labelNames: taskLabels,
    registers: [registry],
  });
  const stage = new Gauge({
    name: 'tidewater_task_stage',
    help: 'The stage the task runs on this process (1 on the current stage).',
    labelNames: [...taskLabels, 'stage'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'tidewater_task_retries_total',
    help: 'Retries after a failure that can pass (a lost connection, a broker outage).',
    labelNames: taskLabels,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'tidewater_task_failures_total',
    help: 'Runs that ended with the task failed, by error code.',
    labelNames: [...taskLabels, 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'tidewater_task_last_checkpoint_age_seconds',
    help: 'Seconds since the running task last wrote its checkpoint.',
    labelNames: taskLabels,
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const [taskId, at] of lastCheckpointAt) this.set(labelsOf(taskId), (now - at) / 1000);
    },
  });
  const running = new Gauge({
    name: 'tidewater_task_running',
    help: 'Tasks this process runs now (1 per task).',
    labelNames: taskLabels,
    registers: [registry],
  });

  const clearStage = (taskId: string) => {
    for (const name of ['schema', 'full', 'incremental']) {
      stage.remove({ ...labelsOf(taskId), stage: name });
    }
  };

  return {
    started(task) {
      names.set(task.id, task.name);
      running.set(labelsOf(task.id), 1);
      // Counted from the take-over: a checkpoint age before the first write would be a guess.
      lastCheckpointAt.set(task.id, Date.now());
    },
    stage(taskId, name) {
      clearStage(taskId);
      stage.set({ ...labelsOf(taskId), stage: name }, 1);
    },
    delivered(taskId, name, count, size) {
      records.inc({ ...labelsOf(taskId), stage: name }, count);
      bytes.inc({ ...labelsOf(taskId), stage: name }, size);
      if (name === 'full') rowsCopied.inc(labelsOf(taskId), count);
    },
    sampled(taskId, sample) {
      recordsPerSecond.set(labelsOf(taskId), sample.recordsPerSecond);
      bytesPerSecond.set(labelsOf(taskId), sample.bytesPerSecond);
      if (sample.latencyMs !== null) latency.set(labelsOf(taskId), sample.latencyMs / 1000);
    },
    latency(taskId, ms) {
      latency.set(labelsOf(taskId), ms / 1000);
    },
    checkpointed(taskId) {
      lastCheckpointAt.set(taskId, Date.now());
    },
    retried(taskId) {
      retries.inc(labelsOf(taskId));
    },
    failed(taskId, code) {
      failures.inc({ ...labelsOf(taskId), code });
    },
    ended(taskId) {
      const labels = labelsOf(taskId);
      clearStage(taskId);
      for (const gauge of [recordsPerSecond, bytesPerSecond, latency, running]) {
        gauge.remove(labels);
      }
      lastCheckpointAt.delete(taskId);
    },
  };
}
