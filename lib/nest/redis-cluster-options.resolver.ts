import { resolveClusterOptions, type RedisClusterOptions } from '../engine/cluster/cluster-options.js';
import { ConfigError } from '../engine/errors/base.error.js';
import { DEFAULT_CACHE_EVICT_TIMEOUT, DEFAULT_CACHE_LOAD_TIMEOUT } from './cache/cache.defaults.js';
import { devalueSerializer } from './cache/value-serializer.js';
import type { CacheableClass, CacheSerializer, RedisCacheModuleOptions } from './interfaces/cache-options.interface.js';
import { resolveObservabilityOptions } from '../engine/observability/options.js';
import type { RedisClusterModuleOptions } from './interfaces/redis-cluster-module-options.interface.js';
import {
  DEFAULT_BOOTSTRAP_TIMEOUT,
  DEFAULT_CACHE_KEY_PREFIX,
  DEFAULT_CACHE_NAMESPACE,
  DEFAULT_CACHE_TIMEOUT,
  DEFAULT_CACHE_TTL,
  DEFAULT_ERROR_SUMMARY_INTERVAL,
  DEFAULT_SHUTDOWN_TIMEOUT,
  NEST_OPTION_KEYS,
} from './redis-cluster.constants.js';

/** @internal */
export interface ResolvedCacheOptions {
  namespace: string;
  ttl: number;
  keyPrefix: string;
  serializer: CacheSerializer;
  timeout: number;
  loadTimeout: number;
  evictTimeout: number;
  onEvictError: 'throw' | 'log';
  readFromReplicas: boolean;
}

/** @internal */
export interface ResolvedLoggingOptions {
  errors: boolean;
  events: boolean;
  errorSummaryInterval: number;
}

/** Module options after validation and defaults. @internal */
export interface ResolvedModuleOptions {
  name: string;
  lazyConnect: boolean;
  bootstrapTimeout: number;
  shutdownTimeout: number;
  cache: ResolvedCacheOptions;
  logging: ResolvedLoggingOptions;
  /** The options given to `createCluster` (Nest-only keys removed). */
  engine: RedisClusterOptions;
  /** `host:port` of every seed, for bootstrap errors. */
  seeds: string[];
}

const CACHE_KEYS = new Set(['namespace', 'ttl', 'keyPrefix', 'serializer', 'classes', 'timeout', 'loadTimeout', 'evictTimeout', 'onEvictError', 'readFromReplicas']);
const LOGGING_KEYS = new Set(['errors', 'events', 'errorSummaryInterval']);
const NAME_PATTERN = /^[\w.-]+$/;

/** Plain JSON (`JSON.stringify` / `JSON.parse`): Dates come back as strings, Maps as `{}`, BigInts fail. */
export const jsonSerializer: CacheSerializer = {
  serialize: (value) => JSON.stringify(value),
  deserialize: (raw) => JSON.parse(raw) as unknown,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(value: unknown, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(option, `must be an integer of at least ${min} (milliseconds)`);
  }
  return value;
}

function boolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, 'must be a boolean');
  return value;
}

function rejectUnknown(value: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new ConfigError(`${prefix}.${key}`, 'is not a known option');
  }
}

/** Validates a cluster or cache namespace name. @internal */
export function checkName(value: unknown, option: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new ConfigError(option, 'must be a non-empty string of letters, digits, "_", "." or "-"');
  }
  return value;
}

/** Validates the `cache` option. @internal */
export function resolveCacheOptions(value: RedisCacheModuleOptions | undefined): ResolvedCacheOptions {
  if (value !== undefined && !isObject(value)) throw new ConfigError('cache', 'must be an object');
  const cache = (value ?? {}) as Record<string, unknown>;
  rejectUnknown(cache, CACHE_KEYS, 'cache');
  if (cache.classes !== undefined && !isObject(cache.classes)) throw new ConfigError('cache.classes', 'must be an object of classes, e.g. { Product }');
  const serializer = cache.serializer ?? devalueSerializer(cache.classes as Record<string, CacheableClass> | undefined);
  if (!isObject(serializer) || typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
    throw new ConfigError('cache.serializer', 'must be an object with serialize(value) and deserialize(raw) functions');
  }
  const keyPrefix = cache.keyPrefix ?? DEFAULT_CACHE_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') throw new ConfigError('cache.keyPrefix', 'must be a string');
  const timeout = integer(cache.timeout, 'cache.timeout', DEFAULT_CACHE_TIMEOUT, 1);
  const evictTimeout = integer(cache.evictTimeout, 'cache.evictTimeout', Math.max(DEFAULT_CACHE_EVICT_TIMEOUT, timeout), timeout);
  const onEvictError = cache.onEvictError ?? 'throw';
  if (onEvictError !== 'throw' && onEvictError !== 'log') throw new ConfigError('cache.onEvictError', "must be 'throw' or 'log'");
  return {
    namespace: cache.namespace === undefined ? DEFAULT_CACHE_NAMESPACE : checkName(cache.namespace, 'cache.namespace'),
    ttl: integer(cache.ttl, 'cache.ttl', DEFAULT_CACHE_TTL, 1),
    keyPrefix,
    serializer: serializer as unknown as CacheSerializer,
    timeout,
    loadTimeout: integer(cache.loadTimeout, 'cache.loadTimeout', DEFAULT_CACHE_LOAD_TIMEOUT, 1),
    evictTimeout,
    onEvictError,
    readFromReplicas: boolean(cache.readFromReplicas, 'cache.readFromReplicas', false),
  };
}

function resolveLogging(value: unknown): ResolvedLoggingOptions {
  if (value === undefined || value === true) return { errors: true, events: true, errorSummaryInterval: DEFAULT_ERROR_SUMMARY_INTERVAL };
  if (value === false) return { errors: false, events: false, errorSummaryInterval: DEFAULT_ERROR_SUMMARY_INTERVAL };
  if (!isObject(value)) throw new ConfigError('logging', 'must be a boolean or an object');
  rejectUnknown(value, LOGGING_KEYS, 'logging');
  return {
    errors: boolean(value.errors, 'logging.errors', true),
    events: boolean(value.events, 'logging.events', true),
    errorSummaryInterval: integer(value.errorSummaryInterval, 'logging.errorSummaryInterval', DEFAULT_ERROR_SUMMARY_INTERVAL, 1),
  };
}

/**
 * Validates module options (the engine's through its own validator, then the Nest-only ones) and
 * applies defaults. Every problem is a ConfigError naming the option. Opens no socket.
 * `name` is the name given to forRoot/forRootAsync; options returned by an async factory may
 * repeat it but not change it.
 * @internal
 */
export function resolveModuleOptions(options: RedisClusterModuleOptions, name: string): ResolvedModuleOptions {
  if (!isObject(options)) throw new ConfigError('options', 'must be an object (the cluster options)');
  if (options.name !== undefined && options.name !== name) {
    throw new ConfigError('name', `is "${String(options.name)}" but the module was registered as "${name}"; give the name to forRootAsync itself`);
  }
  const engine: Record<string, unknown> = { ...options };
  for (const key of NEST_OPTION_KEYS) delete engine[key];
  const resolvedEngine = resolveClusterOptions(engine as unknown as RedisClusterOptions);
  resolveObservabilityOptions(options.observability); // tracing/metrics: ConfigError at bootstrap, not at first use
  return {
    name,
    lazyConnect: boolean(options.lazyConnect, 'lazyConnect', false),
    bootstrapTimeout: integer(options.bootstrapTimeout, 'bootstrapTimeout', DEFAULT_BOOTSTRAP_TIMEOUT, 1),
    shutdownTimeout: integer(options.shutdownTimeout, 'shutdownTimeout', DEFAULT_SHUTDOWN_TIMEOUT, 0),
    cache: resolveCacheOptions(options.cache),
    logging: resolveLogging(options.logging),
    engine: engine as unknown as RedisClusterOptions,
    seeds: resolvedEngine.rootNodes.map((seed) => `${seed.host}:${seed.port}`),
  };
}
