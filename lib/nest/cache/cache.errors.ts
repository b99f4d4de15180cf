import { RedisClusterError } from '../../engine/errors/base.error.js';

/**
 * An evict (`@CacheEvict`, `RedisCacheService.evict` / `evictNamespace`) could not reach Redis
 * within `cache.evictTimeout`, after retries. The entries may still be served: the decorated call
 * (or the service call) rejects with this error unless `cache.onEvictError` is `'log'`. Names the
 * namespace and how many keys, never a key (keys are built from arguments).
 */
export class CacheEvictError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CACHE_EVICT';
  /** The namespace of the keys. */
  readonly namespace: string;
  /** How many keys (or `'namespace'` for a whole-namespace evict) could not be evicted. */
  readonly failed: number | 'namespace';

  constructor(namespace: string, failed: number | 'namespace', attempts: number, timeoutMs: number, options?: { cause?: unknown }) {
    const what = failed === 'namespace' ? 'the whole namespace' : `${failed} key(s)`;
    const reason = options?.cause instanceof Error ? `; last error: ${options.cause.message}` : '';
    super(`Evicting ${what} of cache namespace "${namespace}" failed after ${attempts} attempt(s) within ${timeoutMs} ms${reason}`, options);
    this.namespace = namespace;
    this.failed = failed;
  }
}

/**
 * A method under `@Cacheable` / `@CachePut` / `@CacheEvict` is not known to be asynchronous: it is
 * neither `async` nor declared to return a `Promise` or an `Observable`. Caching it would turn its
 * return value into a Promise, so the application refuses to start. Raised at bootstrap.
 */
export class SyncCachedMethodError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CACHE_SYNC_METHOD';
  readonly className: string;
  readonly methodName: string;

  constructor(className: string, methodName: string) {
    super(
      `${className}.${methodName} has cache decorators but is not asynchronous: declare it async, or annotate its return type ` +
        'as Promise<…> or Observable<…> (with emitDecoratorMetadata), so that caching does not change what it returns',
    );
    this.className = className;
    this.methodName = methodName;
  }
}

/**
 * Two different classes of one application would share default cache keys (`ClassName.method:…`,
 * same cluster and namespace), e.g. because a minifier gave them the same name. Raised at bootstrap;
 * give one of the methods a `key` or a `namespace`.
 */
export class CacheKeyConflictError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CACHE_KEY_CONFLICT';

  constructor(prefix: string, namespace: string) {
    super(
      `Two different classes have cached methods named "${prefix}" without a key in cache namespace "${namespace}": their default keys would collide. ` +
        'Give the methods an explicit key or different namespaces (class names also change under minifiers).',
    );
  }
}
