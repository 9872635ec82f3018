/**
 * Batching for incremental migration: events gather into one delivery until it holds
 * `maxEvents` events or its oldest event waited `maxDelayMs`, whichever comes first (the runner
 * also flushes when the source goes idle). A batch carries the last resume point among its
 * events, so the checkpoint moves exactly when the batch is acknowledged.
 */
import type { ChangeEvent } from '@tidewater/change-events';

export interface BatchLimits {
  maxEvents: number;
  maxDelayMs: number;
}

export interface Batch<R> {
  events: ChangeEvent[];
  /** Records for metrics and the instance class (rows, DDL statements, COMMITs). */
  records: number;
  /** The last resume point among the batch's events; null when it has none. */
  resume: R | null;
  /** Commit time of the newest event, for latency; null when none had one. */
  lastTimestamp: number | null;
}

export class Batcher<R> {
  private events: ChangeEvent[] = [];
  private records = 0;
  private resume: R | null = null;
  private lastTimestamp: number | null = null;
  private startedAt = 0;

  constructor(
    private readonly limits: BatchLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when there is nothing to deliver and no resume point to acknowledge. */
  get isEmpty(): boolean {
    return this.events.length === 0 && this.resume === null;
  }

  get size(): number {
    return this.events.length;
  }

  /**
   * Adds what the transform kept of one source event: `event` to send (null when nothing is
   * sent, e.g. a COMMIT or a change the task does not select), the records it counts for, and
   * the source's resume point after it. Returns true when the batch is due for delivery.
   */
  add(
    event: ChangeEvent | null,
    records: number,
    resume: R | null,
    timestamp: number | null,
  ): boolean {
    // The delay counts from the first event or resume point: a busy stream whose changes are
    // all filtered out still moves its checkpoint.
    if (this.isEmpty && (event !== null || resume !== null)) this.startedAt = this.now();
    if (event !== null) this.events.push(event);
    this.records += records;
    if (resume !== null) this.resume = resume;
    if (records > 0 && timestamp !== null) this.lastTimestamp = timestamp;
    return (
      this.events.length >= this.limits.maxEvents ||
      (!this.isEmpty && this.now() - this.startedAt >= this.limits.maxDelayMs)
    );
  }

  /** The batch so far; the batcher starts empty again. */
  take(): Batch<R> {
    const batch: Batch<R> = {
      events: this.events,
      records: this.records,
      resume: this.resume,
      lastTimestamp: this.lastTimestamp,
    };
    this.events = [];
    this.records = 0;
    this.resume = null;
    this.lastTimestamp = null;
    return batch;
  }
}
