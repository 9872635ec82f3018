/**
 * Keeps several deliveries in flight while acknowledging them strictly in the order they were
 * sent: `onAcked` runs for a delivery only after it and every delivery before it succeeded, so
 * what the caller checkpoints is always a prefix of what Kafka holds. The first failure stops
 * everything: later acknowledgements are not reported and `drain` rejects with it.
 *
 * What is in flight is bounded twice: by deliveries (`maxInFlight`) and by the rows they carry
 * (`maxInFlightRows`), since a delivery's memory grows with its rows (the row images, their
 * encoded messages and the producer's request buffers all live until Kafka acknowledges them).
 */
export class OrderedAcks<T> {
  private readonly queue: Array<{ promise: Promise<unknown>; token: T; rows: number }> = [];
  private inFlightRows = 0;
  private failure: unknown = null;
  private pumping: Promise<void> | null = null;
  private readonly failureListeners = new Set<(error: unknown) => void>();

  constructor(
    private readonly maxInFlight: number,
    private readonly onAcked: (token: T) => Promise<void> | void,
    private readonly maxInFlightRows = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Settles like `waiting`, or rejects with the first delivery failure if that comes first: a
   * reader waiting for its next event notices a failed delivery without sending more. The
   * listener is removed when `waiting` settles, so waiting many times retains nothing.
   */
  orFailure<V>(waiting: Promise<V>): Promise<V> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<V>((resolve, reject) => {
      const onFailure = (error: unknown) => reject(error);
      this.failureListeners.add(onFailure);
      waiting.then(
        (value) => {
          this.failureListeners.delete(onFailure);
          resolve(value);
        },
        (error: unknown) => {
          this.failureListeners.delete(onFailure);
          reject(error);
        },
      );
    });
  }

  get inFlight(): number {
    return this.queue.length;
  }

  /**
   * Adds a delivery of `rows` rows (already sent); returns once fewer than `maxInFlight`
   * deliveries are outstanding and their rows are within `maxInFlightRows`, or only this one
   * is. So at most `maxInFlightRows` plus the rows of the next delivery are ever in flight.
   */
  async push(delivery: Promise<unknown>, token: T, rows = 0): Promise<void> {
    if (this.failure) throw this.failure;
    // Attach a handler now so a rejection before its turn is not reported as unhandled.
    delivery.catch(() => undefined);
    this.queue.push({ promise: delivery, token, rows });
    this.inFlightRows += rows;
    this.pumping ??= this.pump();
    while (
      (this.queue.length >= this.maxInFlight ||
        (this.queue.length > 1 && this.inFlightRows > this.maxInFlightRows)) &&
      !this.failure
    ) {
      await this.waitForHead();
    }
    if (this.failure) throw this.failure;
  }

  /** Waits until every delivery is acknowledged (or the first failure, which it throws). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) await this.waitForHead();
    if (this.pumping) await this.pumping;
    if (this.failure) throw this.failure;
  }

  private async waitForHead(): Promise<void> {
    const head = this.queue[0];
    if (!head) return;
    await head.promise.then(
      () => undefined,
      () => undefined,
    );
    // Let the pump run its onAcked before the caller looks again.
    if (this.pumping) await Promise.race([this.pumping, Promise.resolve()]);
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        await head.promise;
        await this.onAcked(head.token);
        this.queue.shift();
        this.inFlightRows -= head.rows;
      }
    } catch (error) {
      this.failure = error;
      for (const listener of this.failureListeners) listener(error);
      this.failureListeners.clear();
    } finally {
      this.pumping = null;
    }
  }
}
