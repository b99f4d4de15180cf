import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigError } from '../engine/errors/base.error.js';
import type {
  RedisClusterClientOptions,
  RedisClusterModuleAsyncOptions,
  RedisClusterModuleOptions,
  RedisClusterOptionsFactory,
} from './interfaces/redis-cluster-module-options.interface.js';
import { checkName } from './redis-cluster-options.resolver.js';
import { DEFAULT_CLUSTER_NAME } from './redis-cluster.constants.js';
import { createClusterProviders, exportedTokens } from './redis-cluster.providers.js';
import { getClusterOptionsToken } from './redis-cluster.tokens.js';

function staticOptions(options: { name?: unknown; isGlobal?: unknown } | undefined, method: string): { name: string; isGlobal: boolean } {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', `RedisClusterModule.${method} needs an options object`);
  const name = options.name === undefined ? DEFAULT_CLUSTER_NAME : checkName(options.name, 'name');
  if (options.isGlobal !== undefined && typeof options.isGlobal !== 'boolean') throw new ConfigError('isGlobal', 'must be a boolean');
  return { name, isGlobal: options.isGlobal ?? false };
}

function asyncOptionsProvider(options: RedisClusterModuleAsyncOptions, name: string): Provider[] {
  const provide = getClusterOptionsToken(name);
  const given = [options.useFactory, options.useClass, options.useExisting].filter((x) => x !== undefined).length;
  if (given !== 1) throw new ConfigError('useFactory', 'forRootAsync needs exactly one of useFactory, useClass or useExisting');
  if (options.useFactory) {
    if (typeof options.useFactory !== 'function') throw new ConfigError('useFactory', 'must be a function');
    return [{ provide, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = (options.useClass ?? options.useExisting)!;
  const create = (factory: RedisClusterOptionsFactory): Promise<RedisClusterClientOptions> | RedisClusterClientOptions =>
    factory.createRedisClusterOptions();
  if (options.useClass) {
    return [
      { provide: options.useClass, useClass: options.useClass },
      { provide, useFactory: create, inject: [options.useClass] },
    ];
  }
  return [{ provide, useFactory: create, inject: [factoryClass] }];
}

/**
 * The Nest module of a Redis Cluster client. Register one cluster per `forRoot`/`forRootAsync`
 * call (give each a `name` when there are several). Each registration provides and exports the
 * client (`RedisCluster`, or `@InjectCluster(name)`), its event stream (`RedisClusterEvents`)
 * and its cache (`RedisCacheService`), and installs the cache decorators' wrappers at bootstrap.
 *
 * No socket is opened when the module is defined or imported: options are validated, then the
 * client connects while the application initializes (within `bootstrapTimeout`), readiness
 * turns down in `beforeApplicationShutdown`, and the client drains and closes in
 * `onApplicationShutdown`.
 */
@Module({})
export class RedisClusterModule {
  /**
   * Registers a cluster with static options.
   *
   * @example
   * ```ts
   * RedisClusterModule.forRoot({ rootNodes: [{ url: 'redis://10.0.0.1:7000' }], isGlobal: true })
   * ```
   */
  static forRoot(options: RedisClusterModuleOptions): DynamicModule {
    const { name, isGlobal } = staticOptions(options, 'forRoot');
    return RedisClusterModule.assemble(name, isGlobal, [], [{ provide: getClusterOptionsToken(name), useValue: options }]);
  }

  /**
   * Registers a cluster whose options come from a factory, a class or an existing provider.
   *
   * @example
   * ```ts
   * RedisClusterModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ rootNodes: [{ url: config.getOrThrow('REDIS_URL') }] }),
   * })
   * ```
   */
  static forRootAsync(options: RedisClusterModuleAsyncOptions): DynamicModule {
    const { name, isGlobal } = staticOptions(options, 'forRootAsync');
    const providers = [...asyncOptionsProvider(options, name), ...(options.extraProviders ?? [])];
    return RedisClusterModule.assemble(name, isGlobal, options.imports ?? [], providers);
  }

  private static assemble(
    name: string,
    isGlobal: boolean,
    imports: NonNullable<DynamicModule['imports']>,
    optionProviders: Provider[],
  ): DynamicModule {
    return {
      module: RedisClusterModule,
      global: isGlobal,
      imports: [DiscoveryModule, ...imports],
      providers: [...optionProviders, ...createClusterProviders(name)],
      exports: exportedTokens(name),
    };
  }
}
