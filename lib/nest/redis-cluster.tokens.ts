import { RedisCluster } from '../engine/cluster/cluster-client.js';
import { RedisCacheService } from './cache/redis-cache.service.js';
import { RedisClusterEvents } from './events/redis-cluster-events.service.js';
import { DEFAULT_CLUSTER_NAME } from './redis-cluster.constants.js';

function isDefault(name: string | undefined): boolean {
  return name === undefined || name === DEFAULT_CLUSTER_NAME;
}

/**
 * The injection token of a cluster client. The default cluster's token is the `RedisCluster`
 * class itself, so `constructor(redis: RedisCluster)` works without a decorator; a named
 * cluster's token is `'RedisCluster:<name>'`.
 */
export function getClusterToken(name?: string): string | typeof RedisCluster {
  return isDefault(name) ? RedisCluster : `RedisCluster:${name}`;
}

/** The injection token of a cluster's event stream (`RedisClusterEvents` for the default cluster). */
export function getClusterEventsToken(name?: string): string | typeof RedisClusterEvents {
  return isDefault(name) ? RedisClusterEvents : `RedisClusterEvents:${name}`;
}

/** The injection token of a cluster's cache service (`RedisCacheService` for the default cluster). */
export function getCacheServiceToken(name?: string): string | typeof RedisCacheService {
  return isDefault(name) ? RedisCacheService : `RedisCacheService:${name}`;
}

/** The injection token of the options given to `forRoot`/`forRootAsync` for a cluster. */
export function getClusterOptionsToken(name: string = DEFAULT_CLUSTER_NAME): string {
  return `RedisClusterModuleOptions:${name}`;
}

/** @internal The injection token of a cluster's lifecycle (connect, readiness, shutdown). */
export function getClusterLifecycleToken(name: string = DEFAULT_CLUSTER_NAME): string {
  return `RedisClusterLifecycle:${name}`;
}

/** @internal The injection token of a cluster's validated options. */
export function getResolvedOptionsToken(name: string = DEFAULT_CLUSTER_NAME): string {
  return `RedisClusterResolvedOptions:${name}`;
}

/** @internal The injection token of a cluster's cache explorer. */
export function getCacheExplorerToken(name: string = DEFAULT_CLUSTER_NAME): string {
  return `RedisCacheExplorer:${name}`;
}
