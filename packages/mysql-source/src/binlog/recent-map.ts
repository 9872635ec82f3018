/**
 * A map that forgets its least recently used entries beyond a limit, for the binlog decoder's
 * caches keyed by table id or table name: both churn on a busy server (a table id is reassigned
 * whenever the server reopens a table; temporary and per-day tables come and go), so a plain
 * Map would grow for as long as the stream runs. A Map iterates in insertion order, so moving an
 * entry to the end on use keeps the oldest first.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** The most recently used key: using it again moves nothing (one table per transaction). */
  private newest: K | undefined = undefined;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  /** Adds or replaces the entry as the most recently used; `trim` enforces the limit. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
  }

  /** Forgets the least recently used entries beyond the limit. */
  trim(): void {
    if (this.entries.size <= this.limit) return;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.limit) return;
      this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }
}
