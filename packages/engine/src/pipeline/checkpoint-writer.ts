/**
 * Writes checkpoints off the acknowledgement path: the caller records what Kafka acknowledged
 * and asks for a write; the write runs in the background, one at a time, and what is
 * acknowledged while it runs is coalesced into the next one. A write to the control database
 * can take hundreds of milliseconds (a vacuum, a failover, a slow disk); awaited where
 * acknowledgements are handled, it held every delivery behind it.
 *
 * A failed write is not lost: `request` and `flush` throw it from then on, so the run fails
 * (and resumes from the last checkpoint that was written). Nothing is written that the caller
 * did not record as acknowledged, so the checkpoint is never ahead of Kafka; it may be behind
 * by what was acknowledged during the last write, which a stop's `flush` writes.
 */
export class CheckpointWriter {
  private writing: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private lastWriteEndedAt = 0;
  /** A write was asked for (forced, or due) while one was running: start it when that ends. */
  private isWanted = false;

  /**
   * @param write Writes what the caller recorded since the last write (and forgets it), or
   *   nothing when there is nothing new. Called once at a time.
   * @param intervalMs Least time between the end of a write and the start of the next one,
   *   unless a write is forced.
   */
  constructor(
    private readonly write: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /**
   * Asks for a write of what was recorded: started now when none is running and the interval
   * passed (or `force`), else after the running one. Throws a failed write's error.
   */
  request(force = false): void {
    this.throwIfFailed();
    const isDue = force || Date.now() - this.lastWriteEndedAt >= this.intervalMs;
    if (!isDue) return;
    if (this.writing === null) this.start();
    else this.isWanted = true;
  }

  /** Waits for the running write, then writes what is left. Throws a failed write's error. */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
    this.throwIfFailed();
    this.start();
    await this.writing;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error;
  }

  private start(): void {
    this.isWanted = false;
    this.writing = this.write().then(
      () => {
        this.lastWriteEndedAt = Date.now();
        this.writing = null;
        if (this.isWanted) this.start();
      },
      (error: unknown) => {
        this.failure = { error };
        this.writing = null;
      },
    );
  }
}
