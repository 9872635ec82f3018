/**
 * Space for message values that is reused once Kafka acknowledged them, instead of a new
 * Buffer per value left to the garbage collector.
 *
 * Why: a value lives from its encoding until Kafka's acknowledgement, a window of thousands of
 * messages and tens to hundreds of milliseconds. That outlives V8's young-generation
 * collections, so every value's memory was promoted and freed only by a full collection, and
 * dead values were a large share of the garbage the worker's peak RSS is made of. Values
 * copied into slabs that come back when their deliveries are acknowledged cost no new memory
 * in steady state: full collections come about a quarter less often in the end-to-end bench,
 * which let the launcher bound the old generation more tightly for the same throughput
 * (apps/worker/start.sh, issue 13).
 *
 * How: values are copied one after the other into slabs (`copy`); `seal` closes a delivery
 * (everything copied since the previous seal) and returns its ticket; `done(ticket)` says Kafka
 * acknowledged it. A slab is reused only after every delivery with a value in it is done, and
 * deliveries are retired in seal order whatever order `done` comes in, so a value is never
 * overwritten while its delivery (or an earlier one) may still be sent or retried. After a
 * failed delivery (`abandon`) nothing is reused any more: the slabs are left to the collector.
 *
 * Bounded: the slabs in use hold the values in flight (bounded by the runner's window); free
 * slabs are kept up to `maxFreeBytes`, and down to two when nothing is in flight (an idle task
 * does not keep a burst's worth). A value larger than a quarter slab gets its own Buffer.
 */
const IDLE_FREE_SLABS = 2;

export interface ValueArenaOptions {
  /** Bytes per slab (default 256 KiB). */
  slabBytes?: number;
  /** Free slabs kept for reuse, in bytes (default 8 MiB). */
  maxFreeBytes?: number;
}

interface Delivery {
  /** Sequence number of the slab the delivery's last value is in. */
  lastSlab: number;
  isDone: boolean;
}

export class ValueArena {
  private readonly slabBytes: number;
  private readonly maxFreeSlabs: number;
  private current: Buffer;
  private currentSeq = 0;
  private offset = 0;
  /** Slabs before the current one still holding values of deliveries not yet done, oldest first. */
  private readonly used: Array<{ seq: number; slab: Buffer }> = [];
  private readonly free: Buffer[] = [];
  /** Sealed deliveries not yet retired, in seal order. */
  private readonly deliveries: Delivery[] = [];
  private isAbandoned = false;

  constructor(options: ValueArenaOptions = {}) {
    this.slabBytes = options.slabBytes ?? 256 * 1024;
    this.maxFreeSlabs = Math.floor((options.maxFreeBytes ?? 8 * 1024 * 1024) / this.slabBytes);
    this.current = Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** A copy of `bytes` in the arena (or in a Buffer of its own when large or abandoned). */
  copy(bytes: Uint8Array): Buffer {
    const length = bytes.length;
    if (this.isAbandoned || length > this.slabBytes / 4) return Buffer.from(bytes);
    if (this.offset + length > this.slabBytes) this.nextSlab();
    const start = this.offset;
    this.current.set(bytes, start);
    this.offset = start + length;
    return this.current.subarray(start, start + length);
  }

  /** Closes a delivery: the values copied since the last seal. Pass the ticket to `done`. */
  seal(): object {
    const delivery: Delivery = { lastSlab: this.currentSeq, isDone: false };
    if (!this.isAbandoned) this.deliveries.push(delivery);
    return delivery;
  }

  /** Kafka acknowledged the delivery of `ticket`: its values may be overwritten once retired. */
  done(ticket: object): void {
    if (this.isAbandoned) return;
    (ticket as Delivery).isDone = true;
    let retiredUpTo = -1;
    while (this.deliveries.length > 0 && this.deliveries[0]!.isDone) {
      retiredUpTo = this.deliveries.shift()!.lastSlab;
    }
    if (retiredUpTo < 0) return;
    if (this.deliveries.length === 0) {
      // Everything copied is acknowledged (`done` runs from a promise callback, never between a
      // delivery's copies and its seal): every slab is free, the current one from its start.
      while (this.used.length > 0) this.release(this.used.shift()!.slab);
      this.offset = 0;
      // Nothing in flight: an idle task keeps no more than a couple of slabs.
      this.free.length = Math.min(this.free.length, IDLE_FREE_SLABS);
      return;
    }
    // The next delivery's values may begin in the slab the last retired one ended in: slabs
    // wholly before that one come back.
    while (this.used.length > 0 && this.used[0]!.seq < retiredUpTo) {
      this.release(this.used.shift()!.slab);
    }
  }

  /** A delivery failed: stop reusing anything; values already handed out stay as they are. */
  abandon(): void {
    this.isAbandoned = true;
    this.deliveries.length = 0;
    this.used.length = 0;
    this.free.length = 0;
  }

  /** For tests and metrics: slabs in use (the current one included) and free. */
  get slabs(): { inUse: number; free: number } {
    return { inUse: this.used.length + 1, free: this.free.length };
  }

  private release(slab: Buffer): void {
    if (this.free.length < this.maxFreeSlabs) this.free.push(slab);
  }

  private nextSlab(): void {
    if (!this.isAbandoned) this.used.push({ seq: this.currentSeq, slab: this.current });
    this.current = this.free.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes);
    this.currentSeq += 1;
    this.offset = 0;
  }
}
