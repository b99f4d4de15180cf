import { ConfigError } from '../errors/base.error.js';

/** Which entry makes room when `maxEntries` is reached: least recently read, or oldest stored. */
export type CacheEvictPolicy = 'LRU' | 'FIFO';

/**
 * Options of the client-side cache (the `clientSideCache` option of `createCluster`, or
 * `new BasicClientSideCache(options)`). Names and defaults follow node-redis.
 */
export interface ClientSideCacheOptions {
  /** Milliseconds an entry may be served after it was stored; 0 = until invalidated. @default 0 */
  ttl?: number;
  /**
   * Most entries kept (replies being fetched do not count); the least recently read (or oldest,
   * see `evictPolicy`) makes room. Every distinct cached call (command and arguments, reply mode)
   * is one entry. 0 = unlimited (node-redis' default; memory then grows with the key space read).
   * @default 10000 (DEFAULT_CACHE_MAX_ENTRIES)
   */
  maxEntries?: number;
  /** Which entry is evicted when `maxEntries` is reached. @default 'LRU' */
  evictPolicy?: CacheEvictPolicy;
  /** Count hits, misses, loads and evictions for `stats()`. @default true */
  recordStats?: boolean;
}

/** Options with every default applied. @internal */
export interface ResolvedClientSideCacheOptions {
  readonly ttl: number;
  readonly maxEntries: number;
  readonly evictPolicy: CacheEvictPolicy;
  readonly recordStats: boolean;
}

/** Default of `maxEntries`: a bound, so that a cache left at its defaults cannot grow without limit. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

const KEYS = new Set(['ttl', 'maxEntries', 'evictPolicy', 'recordStats']);

/**
 * Validates cache options and applies defaults. Throws ConfigError naming the option
 * (`clientSideCache.maxEntries`…). @internal
 */
export function resolveClientSideCacheOptions(options: unknown, prefix = 'clientSideCache'): ResolvedClientSideCacheOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(prefix, 'must be an options object { ttl, maxEntries, evictPolicy } or a BasicClientSideCache instance');
  }
  const raw = options as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KEYS.has(key)) throw new ConfigError(`${prefix}.${key}`, 'is not a known option (ttl, maxEntries, evictPolicy, recordStats)');
  }
  const { ttl = 0, maxEntries = DEFAULT_CACHE_MAX_ENTRIES, evictPolicy = 'LRU', recordStats = true } = raw;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
    throw new ConfigError(`${prefix}.ttl`, 'must be a finite number of milliseconds >= 0 (0 = no expiry)');
  }
  if (typeof maxEntries !== 'number' || !Number.isSafeInteger(maxEntries) || maxEntries < 0) {
    throw new ConfigError(`${prefix}.maxEntries`, 'must be an integer >= 0 (0 = unlimited)');
  }
  if (evictPolicy !== 'LRU' && evictPolicy !== 'FIFO') {
    throw new ConfigError(`${prefix}.evictPolicy`, "must be 'LRU' or 'FIFO'");
  }
  if (typeof recordStats !== 'boolean') throw new ConfigError(`${prefix}.recordStats`, 'must be a boolean');
  return { ttl, maxEntries, evictPolicy, recordStats };
}

