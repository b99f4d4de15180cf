import type { ConnectionPlugin, ExecutorCache, PluginHost } from '../cluster/connection-plugin.js';
import { ConfigError } from '../errors/base.error.js';
import { BasicClientSideCache } from './basic-client-side-cache.js';
import { TrackingPlugin } from './tracking-plugin.js';
import type { ClientSideCacheOptions } from './cache-options.js';

/**
 * Builds the client-side cache plugin from the `clientSideCache` option (undefined when absent,
 * null or false). Throws ConfigError naming the option when it is invalid, when RESP2 is
 * configured (invalidations are RESP3 pushes on the tracking connection), or when the given
 * cache instance already serves another client.
 * @internal
 */
export function createClientSideCache(option: unknown, host: PluginHost, resp: 2 | 3): (ConnectionPlugin & ExecutorCache) | undefined {
  if (option === undefined || option === null || option === false) return undefined;
  const cache = option instanceof BasicClientSideCache ? option : new BasicClientSideCache(option as ClientSideCacheOptions);
  if (resp !== 3) {
    throw new ConfigError('clientSideCache', 'requires RESP3 (defaults.RESP: 3, the default): invalidations arrive as RESP3 push frames on the connection that read the keys');
  }
  return new TrackingPlugin(cache, host);
}

export { BasicClientSideCache, type ClientSideCacheEvents, type CacheInvalidationReason } from './basic-client-side-cache.js';
export { ClientSideCacheStats } from './cache-stats.js';
export { TrackingRefusedError } from './tracking-plugin.js';
export type { ClientSideCacheOptions, CacheEvictPolicy } from './cache-options.js';
export type { ClientSideCacheOption } from './basic-client-side-cache.js';
export { DEFAULT_CACHE_MAX_ENTRIES } from './cache-options.js';
