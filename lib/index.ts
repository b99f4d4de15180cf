// Public surface of nest-redis-cluster. Named exports only.
// The engine (no Nest imports) lives in ./client.ts, importable alone as `nest-redis-cluster/client`;
// this entry adds the Nest layer, which needs @nestjs/common, @nestjs/core, rxjs and reflect-metadata.

export * from './client.js';

// ---- Nest layer ----
export { RedisClusterModule } from './nest/redis-cluster.module.js';
export { DEFAULT_CLUSTER_NAME } from './nest/redis-cluster.constants.js';
export { getClusterToken, getClusterEventsToken, getCacheServiceToken, getClusterOptionsToken } from './nest/redis-cluster.tokens.js';
export { InjectCluster, InjectClusterEvents, InjectRedisCache } from './nest/decorators/inject-cluster.decorator.js';
export { Cacheable } from './nest/decorators/cacheable.decorator.js';
export { CachePut } from './nest/decorators/cache-put.decorator.js';
export { CacheEvict } from './nest/decorators/cache-evict.decorator.js';
export { OnShardedMessage } from './nest/decorators/on-sharded-message.decorator.js';
export { OnMessage } from './nest/decorators/on-message.decorator.js';
export { OnPatternMessage } from './nest/decorators/on-pattern-message.decorator.js';
export type { PubSubHandlerOptions, PubSubMessageHandler } from './nest/interfaces/pubsub-options.interface.js';
export { RedisCacheService } from './nest/cache/redis-cache.service.js';
export { CacheEvictError, CacheKeyConflictError, SyncCachedMethodError } from './nest/cache/cache.errors.js';
export { devalueSerializer } from './nest/cache/value-serializer.js';
export { jsonSerializer } from './nest/redis-cluster-options.resolver.js';
export { RedisClusterEvents } from './nest/events/redis-cluster-events.service.js';
export type { RedisClusterEvent, RedisClusterEventType } from './nest/events/redis-cluster-event.interface.js';
export type { RedisClusterState } from './nest/lifecycle/redis-cluster.lifecycle.js';
export { checkRedisCluster } from './nest/health/redis-cluster-health.checker.js';
export { PubSubBootstrapError, type FailedSubscription } from './nest/discovery/pubsub-bootstrap.error.js';
export type { RedisClusterHealthCheckOptions, RedisClusterHealthDetails, RedisClusterHealthResult } from './nest/health/redis-cluster-health.checker.js';
export type {
  RedisClusterModuleOptions,
  RedisClusterModuleAsyncOptions,
  RedisClusterOptionsFactory,
  RedisClusterClientOptions,
  RedisClusterLoggingOptions,
} from './nest/interfaces/redis-cluster-module-options.interface.js';
export type {
  CacheableOptions,
  CacheEvictOptions,
  CacheOperationOptions,
  CacheKey,
  CacheSerializer,
  RedisCacheModuleOptions,
  CacheCallOptions,
  CacheSetOptions,
  CacheWrapOptions,
  CacheLookup,
  CacheStats,
  CacheableClass,
} from './nest/interfaces/cache-options.interface.js';

