/** The counters behind {@link ClientSideCacheStats}. */
export interface CacheCounters {
  hitCount: number;
  missCount: number;
  loadSuccessCount: number;
  loadFailureCount: number;
  /** Milliseconds, summed over every load (success or failure). */
  totalLoadTime: number;
  evictionCount: number;
  invalidationCount: number;
}

/** Fresh zeroed counters. @internal */
export function emptyCounters(): CacheCounters {
  return { hitCount: 0, missCount: 0, loadSuccessCount: 0, loadFailureCount: 0, totalLoadTime: 0, evictionCount: 0, invalidationCount: 0 };
}

/**
 * An immutable snapshot of client-side cache statistics, with node-redis's `CacheStats` names
 * (Caffeine-style). A miss is counted when a cacheable call is not in the cache and goes to the
 * server; its reply is then a load success or failure (a MOVED/ASK/timeout/connection error
 * counts as a failure, even if the command then succeeds elsewhere uncached).
 */
export class ClientSideCacheStats {
  /** Cacheable calls answered from the cache, or by sharing an identical read already in flight (single flight). */
  readonly hitCount: number;
  /** Cacheable calls sent to the server. */
  readonly missCount: number;
  /** Misses whose reply arrived (stored, unless an invalidation raced it). */
  readonly loadSuccessCount: number;
  /** Misses whose command failed. */
  readonly loadFailureCount: number;
  /** Milliseconds spent loading, summed over successes and failures. */
  readonly totalLoadTime: number;
  /** Entries dropped by `ttl` expiry or by `maxEntries` (LRU/FIFO) eviction. */
  readonly evictionCount: number;
  /**
   * Entries dropped by invalidation: server pushes (writes, expiry, flush), lost node
   * connections, slot moves, and `invalidate()`. Not counted in `evictionCount`.
   */
  readonly invalidationCount: number;
  /** Entries in the cache when the snapshot was taken (`plus` adds sizes, `minus` keeps this one's). */
  readonly size: number;

  constructor(counters: Readonly<CacheCounters>, size: number) {
    this.hitCount = counters.hitCount;
    this.missCount = counters.missCount;
    this.loadSuccessCount = counters.loadSuccessCount;
    this.loadFailureCount = counters.loadFailureCount;
    this.totalLoadTime = counters.totalLoadTime;
    this.evictionCount = counters.evictionCount;
    this.invalidationCount = counters.invalidationCount;
    this.size = size;
  }

  /** All-zero statistics. */
  static empty(): ClientSideCacheStats {
    return new ClientSideCacheStats(emptyCounters(), 0);
  }

  /** Hits plus misses. */
  requestCount(): number {
    return this.hitCount + this.missCount;
  }

  /** Hits / requests, from 0 to 1; 1 when there were no requests (as node-redis). */
  hitRate(): number {
    const requests = this.requestCount();
    return requests === 0 ? 1 : this.hitCount / requests;
  }

  /** Misses / requests, from 0 to 1; 0 when there were no requests. */
  missRate(): number {
    const requests = this.requestCount();
    return requests === 0 ? 0 : this.missCount / requests;
  }

  /** Load successes plus failures. */
  loadCount(): number {
    return this.loadSuccessCount + this.loadFailureCount;
  }

  /** Load failures / loads, from 0 to 1; 0 when nothing was loaded. */
  loadFailureRate(): number {
    const loads = this.loadCount();
    return loads === 0 ? 0 : this.loadFailureCount / loads;
  }

  /** Mean milliseconds per load; 0 when nothing was loaded. */
  averageLoadPenalty(): number {
    const loads = this.loadCount();
    return loads === 0 ? 0 : this.totalLoadTime / loads;
  }

  /** Counter differences `this - other`, floored at 0 (e.g. activity between two snapshots). */
  minus(other: ClientSideCacheStats): ClientSideCacheStats {
    return this.combine(other, (a, b) => Math.max(0, a - b), this.size);
  }

  /** Counter sums (e.g. several clients' caches). */
  plus(other: ClientSideCacheStats): ClientSideCacheStats {
    return this.combine(other, (a, b) => a + b, this.size + other.size);
  }

  private combine(other: ClientSideCacheStats, op: (a: number, b: number) => number, size: number): ClientSideCacheStats {
    return new ClientSideCacheStats(
      {
        hitCount: op(this.hitCount, other.hitCount),
        missCount: op(this.missCount, other.missCount),
        loadSuccessCount: op(this.loadSuccessCount, other.loadSuccessCount),
        loadFailureCount: op(this.loadFailureCount, other.loadFailureCount),
        totalLoadTime: op(this.totalLoadTime, other.totalLoadTime),
        evictionCount: op(this.evictionCount, other.evictionCount),
        invalidationCount: op(this.invalidationCount, other.invalidationCount),
      },
      size,
    );
  }
}
