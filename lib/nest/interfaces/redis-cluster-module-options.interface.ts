import type { FactoryProvider, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { RedisClusterOptions } from '../../engine/cluster/cluster-options.js';
import type { RedisCacheModuleOptions } from './cache-options.interface.js';

/** What the module logs through Nest's `Logger` (context `RedisCluster`). */
export interface RedisClusterLoggingOptions {
  /**
   * Log cluster errors and node errors. Repeated errors of one node are collapsed: the first is
   * logged at once, then one summary line with a count per `errorSummaryInterval`.
   * @default true
   */
  errors?: boolean;
  /** Log `connect`, topology changes (warn) and node reconnects (debug). @default true */
  events?: boolean;
  /** Milliseconds over which repeated errors of one node are counted into one summary line. @default 10000 */
  errorSummaryInterval?: number;
}

/**
 * Options of one cluster as the module uses it: every option of the engine's `createCluster`
 * ({@link RedisClusterOptions}) plus the Nest-only options below, which are stripped before the
 * client is created.
 */
export interface RedisClusterClientOptions extends RedisClusterOptions {
  /**
   * `false`: the cluster provider resolves only once the first topology is loaded and every slot
   * is served, so the application does not start without Redis. `true`: the application starts at
   * once; the first command (or health check) opens the connections, and commands wait for the
   * topology within their deadline.
   * @default false
   */
  lazyConnect?: boolean;
  /**
   * Milliseconds the application bootstrap waits for the cluster (not with `lazyConnect`).
   * Transient failures (refused, timeout, slots not yet covered) are retried with backoff until
   * then; past it, bootstrap fails with a `TopologyError` naming every seed and its cause.
   * Authentication and TLS failures fail at once.
   * @default 10000
   */
  bootstrapTimeout?: number;
  /**
   * Milliseconds `onApplicationShutdown` lets in-flight commands settle before every socket is
   * destroyed. `0` destroys at once.
   * @default 5000
   */
  shutdownTimeout?: number;
  /** Defaults of the cache decorators and of `RedisCacheService`; see {@link RedisCacheModuleOptions}. */
  cache?: RedisCacheModuleOptions;
  /** `false` silences the module's own logs; see {@link RedisClusterLoggingOptions}. @default true */
  logging?: boolean | RedisClusterLoggingOptions;
}

/** Options of `RedisClusterModule.forRoot`. */
export interface RedisClusterModuleOptions extends RedisClusterClientOptions {
  /**
   * Name of this cluster, for apps with several clusters: inject it with `@InjectCluster(name)`,
   * target it with `@Cacheable({ cluster: name })`. Each name may be registered once.
   * @default 'default'
   */
  name?: string;
  /** Register the module globally, so every module can inject this cluster without importing it. @default false */
  isGlobal?: boolean;
}

/** A class that creates the options of a cluster (`useClass` / `useExisting`). */
export interface RedisClusterOptionsFactory {
  /** Returns the options (everything but `name` and `isGlobal`, which forRootAsync takes itself). */
  createRedisClusterOptions(): Promise<RedisClusterClientOptions> | RedisClusterClientOptions;
}

/** Options of `RedisClusterModule.forRootAsync`: exactly one of `useFactory`, `useClass`, `useExisting`. */
export interface RedisClusterModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Name of this cluster; see {@link RedisClusterModuleOptions.name}. @default 'default' */
  name?: string;
  /** Register the module globally. @default false */
  isGlobal?: boolean;
  /** Returns the options; its parameters are the providers listed in `inject`. */
  useFactory?: (...args: never[]) => Promise<RedisClusterClientOptions> | RedisClusterClientOptions;
  /** Providers passed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
  /** A class instantiated by the module to create the options. */
  useClass?: Type<RedisClusterOptionsFactory>;
  /** An existing provider (from `imports`) that creates the options. */
  useExisting?: Type<RedisClusterOptionsFactory>;
  /** More providers made available to the options factory. */
  extraProviders?: Provider[];
}
