/** Default `cache.loadTimeout`: a load older than this is no longer shared nor stored, in ms. */
export const DEFAULT_CACHE_LOAD_TIMEOUT = 10_000;
/** Default `cache.evictTimeout`: how long an evict is retried before it fails, in ms. */
export const DEFAULT_CACHE_EVICT_TIMEOUT = 5_000;
/** First wait between two evict attempts, in ms (doubles up to {@link EVICT_RETRY_MAX_MS}). @internal */
export const EVICT_RETRY_FIRST_MS = 25;
/** @internal */
export const EVICT_RETRY_MAX_MS = 500;

/**
 * How long an evict's tombstone lives, in ms: longer than any load that started before the evict
 * can still write (a load writes only within `loadTimeout`, each command within `timeout`).
 * @internal
 */
export function tombstoneTtl(loadTimeout: number, timeout: number): number {
  return 2 * (loadTimeout + timeout) + 1_000;
}
