import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit';

describe('instance class rate limiter', () => {
  it('lets a second of records through at once, then holds the rate', async () => {
    const limiter = createRateLimiter(2_000);
    const started = performance.now();
    await limiter.take(2_000);
    expect(performance.now() - started).toBeLessThan(50);
    await limiter.take(1_000);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(900);
  });

  it('serves a request larger than a second of records in steps', async () => {
    const limiter = createRateLimiter(1_000);
    await limiter.take(1_000);
    const started = performance.now();
    await limiter.take(1_500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('says without waiting whether records may pass now', () => {
    let clock = 0;
    const limiter = createRateLimiter(100, () => clock);
    expect(limiter.tryTake(100)).toBe(true);
    expect(limiter.tryTake(1)).toBe(false);
    clock = 500;
    expect(limiter.tryTake(50)).toBe(true);
    expect(limiter.tryTake(1)).toBe(false);
  });

  it('stops waiting when aborted', async () => {
    const limiter = createRateLimiter(10);
    await limiter.take(10);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('paused')), 20);
    await expect(limiter.take(10, controller.signal)).rejects.toThrow('paused');
  });
});
