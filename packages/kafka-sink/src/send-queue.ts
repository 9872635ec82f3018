/**
 * The ordered send queue: how the sink keeps per-partition order while callers keep several
 * `deliver` calls in flight.
 *
 * - One produce at a time. Messages of all pending deliveries are taken strictly in arrival
 *   order into one `send` (one produce request per broker), sent, and only after Kafka
 *   acknowledged it is the next one built. The producer keeps the order of messages within a
 *   partition of one request, so the log order of every partition is the arrival order.
 *   Running two `send`s at once would not be safe: when the first fails over a broker restart
 *   and the producer retries it, the second may land in between.
 * - While a request is in flight, new deliveries accumulate and go out together in the next
 *   one, so the batch grows with the load (group commit), up to the limits below.
 * - A delivery settles in arrival order: it resolves when its last message is acknowledged and
 *   every earlier delivery has resolved, so a caller that checkpoints on resolution never
 *   skips over data that is still in flight (an empty delivery, e.g. only a COMMIT, waits too).
 * - The first failure fails the queue: that delivery and every later one reject with it, and
 *   nothing more is sent, so there is never a gap after a failure. The caller reopens the sink
 *   and resumes from its last checkpoint (at least once).
 * - Memory is bounded by `maxPendingBytes`: `push` waits while the unacknowledged bytes would
 *   exceed it (one delivery is always admitted, however large).
 */

export interface QueuedMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer;
  /** `recordBytes` of the message, computed once when it is built. */
  size: number;
}

/** Sends one produce request's messages, in order; resolves when Kafka acknowledged them all. */
export type SendBatch<T extends QueuedMessage = QueuedMessage> = (
  messages: readonly T[],
) => Promise<void>;

export interface SendQueueLimits {
  /**
   * Bytes per partition in one request: the producer writes one record batch per partition per
   * request, and the broker rejects a batch over the topic's `max.message.bytes` as a whole.
   */
  maxBatchBytes(topic: string): number;
  /** Bytes of all partitions in one request. */
  maxRequestBytes: number;
  /** Unacknowledged bytes across pending deliveries before `push` waits. */
  maxPendingBytes: number;
}

/** Kafka record overhead over key and value: attributes, deltas and varint lengths (v2). */
export const RECORD_OVERHEAD_BYTES = 40;

/** A record batch's own header (v2) on top of its records. */
export const BATCH_OVERHEAD_BYTES = 61;

/** The bytes a message takes in a record batch, at most (key, value, record overhead). */
export function recordBytes(key: string | null, value: Buffer): number {
  return value.length + (key === null ? 0 : Buffer.byteLength(key)) + RECORD_OVERHEAD_BYTES;
}

interface Entry<T extends QueuedMessage> {
  messages: readonly T[];
  bytes: number;
  /** Index of the first message not yet taken into a request. */
  taken: number;
  acked: number;
  resolve(): void;
  reject(error: unknown): void;
}

interface Slice<T extends QueuedMessage> {
  entry: Entry<T>;
  count: number;
}

export class OrderedSendQueue<T extends QueuedMessage = QueuedMessage> {
  private readonly entries: Array<Entry<T>> = [];
  private pendingBytes = 0;
  private isSending = false;
  private failure: unknown = null;
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  /** Settles when the latest push has entered the queue (never rejects). */
  private admission: Promise<void> = Promise.resolve();
  /** Pushes called but not yet in `entries` (waiting on the admission chain). */
  private admitting = 0;

  constructor(
    private readonly sendBatch: SendBatch<T>,
    private readonly limits: SendQueueLimits,
    /** Called once with the error that failed the queue (the first send failure). */
    private readonly onFailure: (error: unknown, batch: readonly T[]) => unknown = (e) => e,
  ) {}

  get failedWith(): unknown {
    return this.failure;
  }

  /** Deliveries pushed and not yet settled. */
  get pendingDeliveries(): number {
    return this.entries.length;
  }

  /**
   * Resolves when every message is acknowledged and every earlier push resolved. Pushes enter
   * the queue in call order, also while they wait for room (the admission chain).
   */
  push(messages: readonly T[]): Promise<void> {
    let bytes = 0;
    for (const message of messages) bytes += message.size;
    const admitted = this.admission.then(() => this.waitForRoom(bytes));
    this.admission = admitted;
    this.admitting += 1;
    return admitted.then(() => {
      this.admitting -= 1;
      if (this.failure !== null) throw this.failure;
      this.pendingBytes += bytes;
      return new Promise<void>((resolve, reject) => {
        this.entries.push({ messages, bytes, taken: 0, acked: 0, resolve, reject });
        this.settleHead();
        void this.pump();
      });
    });
  }

  /** Waits while the unacknowledged bytes would exceed the limit; a failure is the way out. */
  private async waitForRoom(bytes: number): Promise<void> {
    while (
      this.failure === null &&
      this.pendingBytes > 0 &&
      this.pendingBytes + bytes > this.limits.maxPendingBytes
    ) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /** Fails the queue from outside (close without draining): pending deliveries reject. */
  fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const entry of this.entries.splice(0)) entry.reject(error);
    this.pendingBytes = 0;
    this.wakeWaiters();
  }

  /** Resolves when nothing is pending (or the queue failed). */
  async drained(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeWaiters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
    if (this.isIdle()) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private isIdle(): boolean {
    return this.failure !== null || (this.entries.length === 0 && this.admitting === 0);
  }

  /** Resolves complete deliveries from the head, in order. */
  private settleHead(): void {
    while (this.entries.length > 0) {
      const head = this.entries[0]!;
      if (head.acked < head.messages.length) return;
      this.entries.shift();
      this.pendingBytes -= head.bytes;
      head.resolve();
    }
    this.wakeWaiters();
  }

  private takeBatch(): { slices: Array<Slice<T>>; messages: T[] } {
    const slices: Array<Slice<T>> = [];
    const messages: T[] = [];
    // Bytes taken per partition, per topic; a plain array indexed by partition number.
    const partitionBytes = new Map<string, number[]>();
    let requestBytes = 0;
    for (const entry of this.entries) {
      let count = 0;
      while (entry.taken < entry.messages.length) {
        const message = entry.messages[entry.taken]!;
        const size = message.size;
        let byPartition = partitionBytes.get(message.topic);
        if (byPartition === undefined) {
          byPartition = [];
          partitionBytes.set(message.topic, byPartition);
        }
        const inPartition = byPartition[message.partition] ?? 0;
        const isFull =
          messages.length > 0 &&
          (requestBytes + size > this.limits.maxRequestBytes ||
            (inPartition > 0 && inPartition + size > this.limits.maxBatchBytes(message.topic)));
        if (isFull) break;
        byPartition[message.partition] = inPartition + size;
        requestBytes += size;
        messages.push(message);
        entry.taken += 1;
        count += 1;
      }
      if (count > 0) slices.push({ entry, count });
      // Stop at the first message that does not fit: later ones must not overtake it.
      if (entry.taken < entry.messages.length) break;
    }
    return { slices, messages };
  }

  private async pump(): Promise<void> {
    if (this.isSending) return;
    this.isSending = true;
    try {
      while (this.failure === null) {
        const { slices, messages } = this.takeBatch();
        if (messages.length === 0) return;
        try {
          await this.sendBatch(messages);
        } catch (error) {
          this.fail(this.onFailure(error, messages));
          return;
        }
        for (const slice of slices) slice.entry.acked += slice.count;
        this.settleHead();
      }
    } finally {
      this.isSending = false;
    }
  }
}
