import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIdleMemoryRelease, releaseMemory, type ReleaseResult } from './idle-memory';

const result: ReleaseResult = { rssBefore: 2, rssAfter: 1, durationMs: 0 };

function setUp() {
  const release = vi.fn(() => result);
  const onReleased = vi.fn();
  const onError = vi.fn();
  const idle = createIdleMemoryRelease({ idleMs: 1_000, release, onReleased, onError });
  return { idle, release, onReleased, onError };
}

describe('the idle memory release', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('releases once after the worker has been idle for the delay', () => {
    vi.useFakeTimers();
    const { release, onReleased } = setUp();
    vi.advanceTimersByTime(999);
    expect(release).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(release).toHaveBeenCalledTimes(1);
    expect(onReleased).toHaveBeenCalledWith(result);
    vi.advanceTimersByTime(60_000);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('never releases while a job runs, and releases after the last one ends', () => {
    vi.useFakeTimers();
    const { idle, release } = setUp();
    idle.begin();
    idle.begin();
    vi.advanceTimersByTime(5_000);
    idle.end();
    vi.advanceTimersByTime(5_000);
    expect(release).not.toHaveBeenCalled();
    idle.end();
    vi.advanceTimersByTime(999);
    expect(release).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('starts the delay again when a job starts and ends within it', () => {
    vi.useFakeTimers();
    const { idle, release } = setUp();
    vi.advanceTimersByTime(900);
    idle.begin();
    idle.end();
    vi.advanceTimersByTime(900);
    expect(release).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('does not release after it is closed', () => {
    vi.useFakeTimers();
    const { idle, release } = setUp();
    idle.close();
    vi.advanceTimersByTime(5_000);
    expect(release).not.toHaveBeenCalled();
  });

  it('reports a failed release instead of throwing from a timer', () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    createIdleMemoryRelease({
      idleMs: 10,
      release: () => {
        throw new Error('no collector');
      },
      onReleased: () => {},
      onError,
    });
    vi.advanceTimersByTime(10);
    expect(onError).toHaveBeenCalledWith(new Error('no collector'));
  });

  it('gives the heap a run grew back, without exposing gc to the process', () => {
    // Garbage that fills the old generation, as a run's batches do.
    let garbage: unknown[] | null = Array.from({ length: 200 }, () =>
      Array.from({ length: 10_000 }, (_, index) => ({ index, text: `row ${index}` })),
    );
    const grown = process.memoryUsage().heapTotal;
    expect(garbage.length).toBe(200);
    garbage = null;
    const { rssBefore, rssAfter } = releaseMemory();
    expect(process.memoryUsage().heapTotal).toBeLessThan(grown / 2);
    expect(rssAfter).toBeLessThan(rssBefore);
    expect('gc' in globalThis).toBe(false);
  });
});
