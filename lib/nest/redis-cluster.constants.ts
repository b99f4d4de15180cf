/** Name of the cluster registered without a `name` option. */
export const DEFAULT_CLUSTER_NAME = 'default';

/** Logger context used by every message of the module. */
export const LOGGER_CONTEXT = 'RedisCluster';

/** Default of `bootstrapTimeout`, in milliseconds. */
export const DEFAULT_BOOTSTRAP_TIMEOUT = 10_000;

/** Default of `shutdownTimeout`, in milliseconds. */
export const DEFAULT_SHUTDOWN_TIMEOUT = 5_000;

/** Default of `logging.errorSummaryInterval`, in milliseconds. */
export const DEFAULT_ERROR_SUMMARY_INTERVAL = 10_000;

/** Default cache namespace. */
export const DEFAULT_CACHE_NAMESPACE = 'default';

/** Default cache key prefix (put before the namespace). */
export const DEFAULT_CACHE_KEY_PREFIX = 'cache:';

/** Default cache entry time to live, in milliseconds. */
export const DEFAULT_CACHE_TTL = 60_000;

/** Default deadline of one cache read or write, in milliseconds. */
export const DEFAULT_CACHE_TIMEOUT = 1_000;

/** Metadata key of the cache operations stored by `@Cacheable`, `@CachePut` and `@CacheEvict`. */
export const CACHE_OPERATIONS_METADATA = 'nest-redis-cluster:cache-operations';

/** Option keys that belong to the Nest layer and are stripped before the engine sees the options. */
export const NEST_OPTION_KEYS = [
  'name',
  'isGlobal',
  'lazyConnect',
  'bootstrapTimeout',
  'shutdownTimeout',
  'cache',
  'logging',
] as const;
