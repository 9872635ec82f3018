/**
 * The instance class ceiling: a token bucket in records per second. `take(n)` waits until n
 * records may pass. The bucket holds at most one second of records, so a burst after an idle
 * period cannot exceed the ceiling for more than a second.
 */
export interface RateLimiter {
  take(records: number, signal?: AbortSignal): Promise<void>;
  /** Takes the records if they may pass now, without waiting; false when `take` would wait. */
  tryTake(records: number): boolean;
}

export const unlimited: RateLimiter = { take: async () => undefined, tryTake: () => true };

export function createRateLimiter(
  recordsPerSecond: number | null,
  now = () => performance.now(),
): RateLimiter {
  if (recordsPerSecond === null) return unlimited;
  const capacity = recordsPerSecond;
  let tokens = capacity;
  let last = now();
  const refill = () => {
    const current = now();
    tokens = Math.min(capacity, tokens + ((current - last) / 1000) * recordsPerSecond);
    last = current;
  };
  return {
    tryTake(records) {
      refill();
      if (tokens < records) return false;
      tokens -= records;
      return true;
    },
    async take(records, signal) {
      let remaining = records;
      while (remaining > 0) {
        refill();
        const granted = Math.min(remaining, Math.floor(tokens));
        if (granted > 0) {
          tokens -= granted;
          remaining -= granted;
          continue;
        }
        const waitMs = Math.max(
          1,
          ((Math.min(remaining, capacity) - tokens) / recordsPerSecond) * 1000,
        );
        await sleep(waitMs, signal);
      }
    },
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
