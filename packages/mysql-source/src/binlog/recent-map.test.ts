import { describe, expect, it } from 'vitest';
import { RecentMap } from './recent-map';

describe('RecentMap', () => {
  it('forgets the least recently used entries beyond its limit when trimmed, a read counting as a use', () => {
    const map = new RecentMap<number, string>(2);
    map.set(1, 'one');
    map.set(2, 'two');
    map.set(3, 'three');
    expect(map.size).toBe(3);
    expect(map.get(1)).toBe('one');
    map.trim();
    expect(map.size).toBe(2);
    expect(map.get(2)).toBeUndefined();
    expect([map.get(1), map.get(3)]).toEqual(['one', 'three']);
  });
});
