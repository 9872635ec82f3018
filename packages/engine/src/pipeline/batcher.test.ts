import type { ChangeEvent } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher';

const commit = (at: number): ChangeEvent => ({
  kind: 'commit',
  xid: null,
  timestamp: at,
  position: null,
  gtid: null,
  serverId: 1,
});

describe('Batcher', () => {
  it('is due once it holds maxEvents events', () => {
    const batcher = new Batcher<string>({ maxEvents: 3, maxDelayMs: 1_000 }, () => 0);
    expect(batcher.add(commit(1), 1, null, 1)).toBe(false);
    expect(batcher.add(commit(2), 1, null, 2)).toBe(false);
    expect(batcher.add(commit(3), 1, 'p3', 3)).toBe(true);
    const batch = batcher.take();
    expect(batch).toMatchObject({ records: 3, resume: 'p3', lastTimestamp: 3 });
    expect(batch.events).toHaveLength(3);
    expect(batcher.isEmpty).toBe(true);
  });

  it('is due once its oldest entry waited maxDelayMs, even when it holds only a resume point', () => {
    let now = 100;
    const batcher = new Batcher<string>({ maxEvents: 100, maxDelayMs: 10 }, () => now);
    expect(batcher.add(null, 1, 'p1', 5)).toBe(false);
    now = 109;
    expect(batcher.add(null, 1, 'p2', 6)).toBe(false);
    now = 110;
    expect(batcher.add(null, 0, null, null)).toBe(true);
    expect(batcher.take()).toEqual({ events: [], records: 2, resume: 'p2', lastTimestamp: 6 });
  });

  it('keeps the last resume point and the newest timestamp of counted records only', () => {
    const batcher = new Batcher<string>({ maxEvents: 100, maxDelayMs: 1_000 }, () => 0);
    batcher.add(commit(1), 1, 'a', 10);
    batcher.add(null, 0, null, 99);
    batcher.add(commit(2), 1, null, 20);
    expect(batcher.take()).toMatchObject({ resume: 'a', lastTimestamp: 20, records: 2 });
  });

  it('starts empty and reports no resume point', () => {
    const batcher = new Batcher<string>({ maxEvents: 1, maxDelayMs: 1 });
    expect(batcher.isEmpty).toBe(true);
    expect(batcher.take()).toEqual({ events: [], records: 0, resume: null, lastTimestamp: null });
  });
});
