import type { CacheEvictPolicy } from './cache-options.js';

/** What the store keeps in each entry: its expiry and its links in the eviction order. @internal */
export interface StoreEntry {
  /** `Date.now()` ms after which the entry is expired; Infinity = never. */
  readonly expiresAt: number;
  /** Links of the eviction order; owned by the store. */
  older: this | undefined;
  newer: this | undefined;
  stored: boolean;
}

/** Why an entry left the store. @internal */
export type RemovalReason = 'expired' | 'evicted' | 'invalidated' | 'replaced';

/** How many expired entries at the head of the order are dropped on each add (amortised sweep). */
const SWEEP_PER_ADD = 2;

/**
 * The eviction order of the cache: an intrusive doubly-linked list, oldest (next to evict) first,
 * with LRU or FIFO eviction at `maxEntries` and lazy TTL expiry. O(1) per operation, no allocation.
 * LRU moves an entry to the newest end on every read; FIFO never does. Pure: the caller passes the
 * clock (`now`, ms) and is told of every removal except clear(). @internal
 */
export class CacheStore<E extends StoreEntry> {
  private oldest: E | undefined;
  private newest: E | undefined;
  private count = 0;
  private readonly lru: boolean;

  /**
   * @param policy which entry to evict when full
   * @param maxEntries most entries; 0 = unlimited
   * @param onRemove told of every removal (expiry, eviction, delete) except clear()
   */
  constructor(
    policy: CacheEvictPolicy,
    private readonly maxEntries: number,
    private readonly onRemove: (entry: E, reason: RemovalReason) => void,
  ) {
    this.lru = policy === 'LRU';
  }

  get size(): number {
    return this.count;
  }

  /**
   * A read of a stored entry: false (and the entry removed as `expired`) when it expired at `now`;
   * otherwise true, and under LRU the entry becomes the newest.
   */
  read(entry: E, now: number): boolean {
    if (entry.expiresAt <= now) {
      this.remove(entry, 'expired');
      return false;
    }
    if (this.lru && entry !== this.newest) {
      this.unlink(entry);
      this.append(entry);
    }
    return true;
  }

  /** Adds `entry` as the newest, after sweeping expired entries at the head and evicting while full. */
  add(entry: E, now: number): void {
    this.sweep(now, SWEEP_PER_ADD);
    if (this.maxEntries > 0) {
      while (this.count >= this.maxEntries && this.oldest !== undefined) this.remove(this.oldest, 'evicted');
    }
    this.append(entry);
  }

  /** Removes a stored entry; false when it is not stored. */
  remove(entry: E, reason: RemovalReason): boolean {
    if (!entry.stored) return false;
    this.unlink(entry);
    this.onRemove(entry, reason);
    return true;
  }

  /** Drops up to `limit` expired entries from the head of the order; returns how many. */
  sweep(now: number, limit = Infinity): number {
    let removed = 0;
    while (removed < limit && this.oldest !== undefined && this.oldest.expiresAt <= now) {
      this.remove(this.oldest, 'expired');
      removed++;
    }
    return removed;
  }

  /** Forgets every entry without notifications. */
  clear(): void {
    for (let entry = this.oldest; entry !== undefined; ) {
      const next: E | undefined = entry.newer;
      entry.older = entry.newer = undefined;
      entry.stored = false;
      entry = next;
    }
    this.oldest = this.newest = undefined;
    this.count = 0;
  }

  /** Entries in eviction order (next to evict first). */
  entries(): E[] {
    const out: E[] = [];
    for (let entry = this.oldest; entry !== undefined; entry = entry.newer) out.push(entry);
    return out;
  }

  private append(entry: E): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
    entry.stored = true;
    this.count++;
  }

  private unlink(entry: E): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = undefined;
    entry.stored = false;
    this.count--;
  }
}
