/** Turns cached values into strings and back. The default is JSON. */
export interface CacheSerializer {
  /** Never called with `undefined` (stored as its own marker). */
  serialize(value: unknown): string;
  deserialize(raw: string): unknown;
}

/** Cache defaults of one cluster (`cache` option of forRoot). */
export interface RedisCacheModuleOptions {
  /**
   * Namespace of entries whose decorator or call names none. Letters, digits, `_`, `.` and `-`.
   * @default 'default'
   */
  namespace?: string;
  /** Time to live of an entry, in milliseconds, when the decorator or call gives none. @default 60000 */
  ttl?: number;
  /** Prefix of every cache key, put before the namespace. @default 'cache:' */
  keyPrefix?: string;
  /** How values are stored. @default JSON (`JSON.stringify` / `JSON.parse`) */
  serializer?: CacheSerializer;
  /**
   * Deadline of one cache read or write, in milliseconds. A slower (or failed) cache operation is
   * skipped: reads count as misses, the method runs, the error is logged and counted.
   * @default 1000
   */
  timeout?: number;
}

/**
 * How a cache key is made from a method's arguments:
 * - a template: `{0}` is the first argument, `{id}` the parameter named `id` (or, when no
 *   parameter has that name, the property `id` of the first argument), `{0.id}` / `{dto.id}` a
 *   property path; `{{` and `}}` are literal braces. Strings and numbers are used as they are,
 *   objects as JSON with sorted keys. E.g. `'product:{id}'`, `'user:{0}:orders:{1}'`.
 * - a function of the arguments returning the key, e.g. `(id: string) => \`product:${id}\``.
 * When absent, the key is `ClassName.method:` followed by the arguments as JSON.
 */
export type CacheKey = string | ((...args: never[]) => string);

/** Options common to the cache decorators. */
export interface CacheOperationOptions {
  /** Key template or function; see {@link CacheKey}. */
  key?: CacheKey;
  /** Namespace of the entry. @default the module's `cache.namespace` */
  namespace?: string;
  /** Name of the cluster (as given to forRoot) that holds the cache. @default the default cluster */
  cluster?: string;
}

/** Options of `@Cacheable` and `@CachePut`. */
export interface CacheableOptions extends CacheOperationOptions {
  /** Time to live in milliseconds. @default the module's `cache.ttl` */
  ttl?: number;
  /** Called with the method's arguments; `false` bypasses the cache for that call. */
  condition?: (...args: never[]) => boolean;
  /** Called with the result; `true` means "do not store it" (e.g. `(r) => r === undefined`). */
  unless?: (result: never) => boolean;
}

/** Options of `@CacheEvict`. */
export interface CacheEvictOptions extends Omit<CacheOperationOptions, 'key'> {
  /** Key (or keys) to evict; see {@link CacheKey}. */
  key?: CacheKey | CacheKey[];
  /** Evict the whole namespace (one INCR of its version; no SCAN, nothing is deleted at once). @default false */
  allEntries?: boolean;
  /** Evict before the method runs (and even if it throws). Otherwise only after it succeeds. @default false */
  beforeInvocation?: boolean;
}

/** Per-call options of `RedisCacheService`. */
export interface CacheCallOptions {
  /** Namespace. @default the module's `cache.namespace` */
  namespace?: string;
}

/** Per-call options of `RedisCacheService.set` and `wrap`. */
export interface CacheSetOptions extends CacheCallOptions {
  /** Time to live in milliseconds. @default the module's `cache.ttl` */
  ttl?: number;
}

/** Per-call options of `RedisCacheService.wrap`. */
export interface CacheWrapOptions<T> extends CacheSetOptions {
  /** `true` for results that must not be stored. */
  unless?: (result: T) => boolean;
}

/** The outcome of a cache read: a hit carries the value (which may be `null`, `0`, `''`, `false` or `undefined`). */
export type CacheLookup<T> = { readonly hit: true; readonly value: T } | { readonly hit: false };

/** Counters of one cluster's cache since the application started. */
export interface CacheStats {
  /** Reads that found an entry. */
  hits: number;
  /** Reads that found none (including reads that failed). */
  misses: number;
  /** Loader/method calls made on a miss. */
  loads: number;
  /** Callers that shared a concurrent call for the same key instead of calling again (single-flight). */
  sharedLoads: number;
  /** Entries written. */
  puts: number;
  /** Keys evicted. */
  evictions: number;
  /** Whole namespaces evicted. */
  namespaceEvictions: number;
  /** Redis operations that failed or timed out (the cache was skipped). */
  errors: number;
}
