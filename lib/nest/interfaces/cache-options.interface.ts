/**
 * Turns cached values into strings and back. The default is devalue (tagged JSON: Date, Map, Set,
 * BigInt, Buffer, typed arrays, undefined, -0, NaN… round-trip); see `devalueSerializer`.
 * `jsonSerializer` is plain JSON. A serializer that throws makes that write fail (logged, nothing
 * stored; the method's result is still returned) or that read a miss.
 */
export interface CacheSerializer {
  /** Never called with `undefined` (stored as its own marker). */
  serialize(value: unknown): string;
  deserialize(raw: string): unknown;
}

/** A class whose instances may be cached with the default serializer (see `cache.classes`). */
export type CacheableClass = abstract new (...args: never[]) => object;

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
  /** How values are stored. @default `devalueSerializer(classes)` */
  serializer?: CacheSerializer;
  /**
   * Classes whose instances the default serializer may store, by a name of your choice (kept in
   * the entry, so it must not change between deployments; minified class names do not matter):
   * e.g. `{ Product }`. They are stored as their own enumerable fields and revived with the class's
   * prototype (the constructor is not called). An instance of any other class is not stored (the
   * write fails, logged). Ignored with a custom `serializer`.
   * @default {}
   */
  classes?: Record<string, CacheableClass>;
  /**
   * Deadline of one cache read or write, in milliseconds. A slower (or failed) cache operation is
   * skipped: reads count as misses, the method runs, the error is logged and counted.
   * @default 1000
   */
  timeout?: number;
  /**
   * How long a load (the method or `wrap` loader on a miss) is shared with later callers of the same
   * key and may still store its result, in milliseconds. A later caller does not join an older load
   * (it starts its own), so one hung call does not stall the key; callers already sharing it keep
   * waiting for it, and its result is returned but not stored.
   * @default 10000
   */
  loadTimeout?: number;
  /**
   * How long an evict (key or namespace) is retried when Redis cannot be reached, in milliseconds,
   * before `onEvictError` applies. At least `timeout`.
   * @default 5000
   */
  evictTimeout?: number;
  /**
   * What a failed evict does: `'throw'` rejects the decorated call (after the method ran, for an
   * evict after invocation) or the `evict`/`evictNamespace` call with a `CacheEvictError`; `'log'`
   * logs it and goes on (the entries may still be served until their TTL).
   * @default 'throw'
   */
  onEvictError?: 'throw' | 'log';
  /**
   * Read cache entries from replicas when the cluster has `useReplicas`. Off by default: cache
   * traffic goes to masters, so a read right after an evict sees it.
   * @default false
   */
  readFromReplicas?: boolean;
}

/**
 * How a cache key is made from a method's arguments:
 * - a template: `{0}` is the first argument, `{id}` the parameter named `id` (or, when no
 *   parameter has that name, the property `id` of the first argument), `{0.id}` / `{dto.id}` a
 *   property path; `{{` and `}}` are literal braces. Each value is encoded so that distinct values
 *   give distinct keys: strings keep `A-Z a-z 0-9 _ . -` and percent-encode other characters,
 *   other types are tagged (`~n42` for the number 42, `~true`, `~null`, `~j…` for objects).
 *   Two placeholders must be separated by a character such as `:`. E.g. `'product:{id}'`,
 *   `'user:{0}:orders:{1}'`.
 * - a function of the arguments returning the key, e.g. `(id: string) => \`product:${id}\``
 *   (its injectivity is yours).
 * When absent, the key is `ClassName.method:` followed by a canonical, type-tagged encoding of the
 * arguments (two classes with the same name and method in one namespace are refused at bootstrap).
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
  /** Evict the whole namespace (a new random namespace token; no SCAN, nothing is deleted at once). @default false */
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
  /**
   * Loaded values not stored because an evict or another write touched the key while the load
   * ran, or the load took longer than `loadTimeout`.
   */
  skippedWrites: number;
}
