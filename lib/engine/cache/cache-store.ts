import type { CacheEvictPolicy } from './cache-options.js';

/** What the store needs of an entry. @internal */
export interface StoreEntry {
  /** `Date.now()` ms after which the entry is expired; Infinity = never. */
  readonly expiresAt: number;
}

/** Why an entry left the store. @internal */
export type RemovalReason = 'expired' | 'evicted' | 'invalidated' | 'replaced' | 'cleared';

/** How many expired entries at the head of the order are dropped on each store (amortised sweep). */
const SWEEP_PER_SET = 2;

/**
 * A bounded map with LRU or FIFO eviction and lazy TTL expiry. Pure: the caller passes the
 * clock (`now`, ms) and is told of every removal (to keep its own indexes in step).
 * Order is a Map's insertion order: LRU moves an entry to the end on every read, FIFO never does,
 * so the first entry is always the next to evict. @internal
 */
export class CacheStore<E extends StoreEntry> {
  private readonly map = new Map<string, E>();
  private readonly lru: boolean;

  /**
   * @param policy which entry to evict when full
   * @param maxEntries most entries; 0 = unlimited
   * @param onRemove told of every removal except `clear()`
   */
  constructor(
    policy: CacheEvictPolicy,
    private readonly maxEntries: number,
    private readonly onRemove: (key: string, entry: E, reason: RemovalReason) => void,
  ) {
    this.lru = policy === 'LRU';
  }

  get size(): number {
    return this.map.size;
  }

  /** The entry, or undefined when absent or expired at `now` (then removed as `expired`). LRU: marks it most recent. */
  get(key: string, now: number): E | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.map.delete(key);
      this.onRemove(key, entry, 'expired');
      return undefined;
    }
    if (this.lru) {
      this.map.delete(key);
      this.map.set(key, entry);
    }
    return entry;
  }

  /** The entry without expiry check or reordering (tests, iteration). */
  peek(key: string): E | undefined {
    return this.map.get(key);
  }

  /**
   * Stores `entry` as the most recent. A previous entry under `key` is removed as `replaced`;
   * expired entries at the head are swept; then the oldest entries are evicted while full.
   */
  set(key: string, entry: E, now: number): void {
    const previous = this.map.get(key);
    if (previous !== undefined) {
      this.map.delete(key);
      this.onRemove(key, previous, 'replaced');
    }
    this.sweep(now, SWEEP_PER_SET);
    if (this.maxEntries > 0) {
      while (this.map.size >= this.maxEntries) {
        const oldest = this.map.entries().next();
        if (oldest.done) break;
        const [oldKey, oldEntry] = oldest.value;
        this.map.delete(oldKey);
        this.onRemove(oldKey, oldEntry, 'evicted');
      }
    }
    this.map.set(key, entry);
  }

  /** Removes `key` if it holds `expected` (or anything, when not given). */
  delete(key: string, reason: RemovalReason, expected?: E): boolean {
    const entry = this.map.get(key);
    if (entry === undefined || (expected !== undefined && entry !== expected)) return false;
    this.map.delete(key);
    this.onRemove(key, entry, reason);
    return true;
  }

  /** Drops up to `limit` expired entries from the head of the order. */
  sweep(now: number, limit = Infinity): number {
    let removed = 0;
    for (const [key, entry] of this.map) {
      if (removed >= limit || entry.expiresAt > now) break;
      this.map.delete(key);
      this.onRemove(key, entry, 'expired');
      removed++;
    }
    return removed;
  }

  /** Drops everything without notifications. */
  clear(): void {
    this.map.clear();
  }

  /** Keys in eviction order (next to evict first). */
  keys(): string[] {
    return [...this.map.keys()];
  }
}
