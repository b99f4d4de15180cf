import type { DynamicModule, Provider } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, ModulesContainer } from '@nestjs/core';
import type { RedisCluster } from '../engine/cluster/cluster-client.js';
import { ConfigError } from '../engine/errors/base.error.js';
import { RedisCacheService } from './cache/redis-cache.service.js';
import { RedisCacheExplorer } from './discovery/cache.explorer.js';
import { getSubscriptionsExplorerToken, RedisSubscriptionsExplorer } from './discovery/subscriptions.explorer.js';
import { RedisClusterEvents } from './events/redis-cluster-events.service.js';
import type { RedisClusterModuleOptions } from './interfaces/redis-cluster-module-options.interface.js';
import { RedisClusterLifecycle } from './lifecycle/redis-cluster.lifecycle.js';
import { resolveModuleOptions, type ResolvedModuleOptions } from './redis-cluster-options.resolver.js';
import { duplicateClusterMessage } from './redis-cluster.messages.js';
import {
  getCacheExplorerToken,
  getCacheServiceToken,
  getClusterEventsToken,
  getClusterLifecycleToken,
  getClusterOptionsToken,
  getClusterToken,
  getResolvedOptionsToken,
} from './redis-cluster.tokens.js';

/** Fails when two different module registrations use the same cluster name in one application. */
function assertRegisteredOnce(container: ModulesContainer, name: string): void {
  const token = getResolvedOptionsToken(name);
  let count = 0;
  for (const moduleRef of container.values()) if (moduleRef.providers.has(token)) count++;
  if (count > 1) throw new ConfigError('name', duplicateClusterMessage(name));
}

/**
 * The providers of one cluster registration. The options provider (token
 * `getClusterOptionsToken(name)`) is added by forRoot / forRootAsync. Order of creation:
 * validated options (no socket yet) → events + lifecycle (client created, no socket) → the
 * client, resolved once connected (or at once with lazyConnect) → cache service → explorers
 * (cache wrappers; pub/sub handlers).
 * @internal
 */
export function createClusterProviders(name: string): Provider[] {
  const lifecycleToken = getClusterLifecycleToken(name);
  const resolvedToken = getResolvedOptionsToken(name);
  return [
    {
      provide: resolvedToken,
      useFactory: (options: RedisClusterModuleOptions, container: ModulesContainer): ResolvedModuleOptions => {
        assertRegisteredOnce(container, name);
        return resolveModuleOptions(options, name);
      },
      inject: [getClusterOptionsToken(name), ModulesContainer],
    },
    { provide: getClusterEventsToken(name), useFactory: () => new RedisClusterEvents(name) },
    {
      provide: lifecycleToken,
      useFactory: (options: ResolvedModuleOptions, events: RedisClusterEvents) => new RedisClusterLifecycle(options, events),
      inject: [resolvedToken, getClusterEventsToken(name)],
    },
    {
      provide: getClusterToken(name),
      useFactory: (lifecycle: RedisClusterLifecycle): Promise<RedisCluster> => lifecycle.start(),
      inject: [lifecycleToken],
    },
    {
      provide: getCacheServiceToken(name),
      useFactory: (cluster: RedisCluster, options: ResolvedModuleOptions) => new RedisCacheService(cluster, options.cache, name, options.engine),
      inject: [getClusterToken(name), resolvedToken],
    },
    {
      provide: getCacheExplorerToken(name),
      useFactory: (discovery: DiscoveryService, scanner: MetadataScanner, moduleRef: ModuleRef, cache: RedisCacheService) =>
        new RedisCacheExplorer(discovery, scanner, moduleRef, cache, name),
      inject: [DiscoveryService, MetadataScanner, ModuleRef, getCacheServiceToken(name)],
    },
    {
      provide: getSubscriptionsExplorerToken(name),
      useFactory: (discovery: DiscoveryService, scanner: MetadataScanner, moduleRef: ModuleRef, cluster: RedisCluster, options: ResolvedModuleOptions) =>
        new RedisSubscriptionsExplorer(discovery, scanner, moduleRef, cluster, name, options),
      inject: [DiscoveryService, MetadataScanner, ModuleRef, getClusterToken(name), resolvedToken],
    },
  ];
}

/** The tokens a cluster registration exports. @internal */
export function exportedTokens(name: string): NonNullable<DynamicModule['exports']> {
  return [getClusterToken(name), getClusterEventsToken(name), getCacheServiceToken(name)];
}
