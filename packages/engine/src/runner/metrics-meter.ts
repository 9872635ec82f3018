import type { RunRepository } from '@tidewater/db';
import { ignoreTelemetry, type TaskTelemetry } from '../task-telemetry';

/**
 * Throughput and latency of a running stage, sampled every few seconds into the task's metric
 * history (the console's charts and the list's records/s). Latency is now minus the commit
 * time of the last delivered event; 0 when the stream is caught up. The same figures go to the
 * process's telemetry (the worker's /metrics) as they happen.
 */
export class MetricsMeter {
  private records = 0;
  private bytes = 0;
  private windowStart = performance.now();
  private latency: number | null = null;
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly runs: RunRepository,
    private readonly taskId: string,
    private readonly stage: 'full' | 'incremental',
    private readonly log: (
      level: 'warn',
      message: string,
      fields?: Record<string, unknown>,
    ) => void,
    intervalMs = 2_000,
    private readonly telemetry: TaskTelemetry = ignoreTelemetry,
  ) {
    this.timer = setInterval(() => {
      // A sample that cannot be written (PostgreSQL restarting) is lost, not retried: the
      // next one covers the time since, and the stage itself must not stop for a chart.
      this.writing = this.writing
        .then(() => this.sample())
        .catch((error: unknown) =>
          this.log('warn', 'metric sample not written', {
            taskId: this.taskId,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    }, intervalMs);
    this.timer.unref();
  }

  add(records: number, bytes: number): void {
    this.records += records;
    this.bytes += bytes;
    this.telemetry.delivered(this.taskId, this.stage, records, bytes);
  }

  setLatency(ms: number): void {
    this.latency = ms;
    this.telemetry.latency(this.taskId, ms);
  }

  get latencyMs(): number | null {
    return this.latency;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.sample();
  }

  private async sample(): Promise<void> {
    const now = performance.now();
    const seconds = (now - this.windowStart) / 1000;
    if (seconds <= 0.05) return;
    const sample = {
      stage: this.stage,
      recordsPerSecond: this.records / seconds,
      bytesPerSecond: this.bytes / seconds,
      latencyMs:
        this.stage === 'incremental' && this.latency !== null ? Math.round(this.latency) : null,
    };
    this.records = 0;
    this.bytes = 0;
    this.windowStart = now;
    this.telemetry.sampled(this.taskId, sample);
    await this.runs.appendMetricSample(this.taskId, sample);
  }
}
