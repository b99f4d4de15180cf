import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import { ConfigError } from '../../engine/errors/base.error.js';
import { ErrorLogThrottle } from '../events/error-log-throttle.js';
import type {
  CacheCallOptions,
  CacheLookup,
  CacheSetOptions,
  CacheStats,
  CacheWrapOptions,
} from '../interfaces/cache-options.interface.js';
import { checkName, type ResolvedCacheOptions } from '../redis-cluster-options.resolver.js';
import { LOGGER_CONTEXT } from '../redis-cluster.constants.js';
import { cacheFailOpenMessage } from '../redis-cluster.messages.js';
import { decodeEntry, encodeEntry } from './cache-entry.codec.js';
import { SingleFlight } from './single-flight.js';

const ERROR_SUMMARY_INTERVAL = 10_000;

/**
 * A cache over one Redis cluster, the imperative twin of `@Cacheable`, `@CachePut` and
 * `@CacheEvict`. Inject it by its class for the default cluster, or with
 * `@InjectRedisCache(name)` for a named one.
 *
 * Layout: `<keyPrefix><namespace>:v<version>:<key>`, spread over every slot. Each namespace has
 * a version counter `<keyPrefix><namespace>:version`; evicting a namespace increments it, so
 * older entries are never read again and expire by their TTL (no SCAN, no single-slot namespace).
 *
 * Fail-open: a cache read or write that fails or passes `cache.timeout` is logged (throttled),
 * counted in `stats().errors`, and treated as a miss / skipped.
 */
export class RedisCacheService implements OnApplicationShutdown {
  private readonly flights = new SingleFlight();
  private readonly versionReads = new SingleFlight();
  private readonly counters: CacheStats = { hits: 0, misses: 0, loads: 0, sharedLoads: 0, puts: 0, evictions: 0, namespaceEvictions: 0, errors: 0 };
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly errorLog: ErrorLogThrottle;

  /** @internal */
  constructor(
    private readonly cluster: RedisCluster,
    /** @internal */ readonly options: ResolvedCacheOptions,
    /** Name of the cluster holding this cache. */
    readonly clusterName: string,
  ) {
    this.errorLog = new ErrorLogThrottle(ERROR_SUMMARY_INTERVAL, (line) =>
      this.logger.warn(
        line.suppressed === 0
          ? `Redis cluster "${clusterName}": ${line.message}`
          : `Redis cluster "${clusterName}": ${line.suppressed} more cache error(s) in the last ${Math.round(line.windowMs / 1000)} s (last: ${line.message})`,
      ),
    );
  }

  /** Reads an entry; `{ hit: false }` on a miss or a failed read. Falsy stored values are hits. */
  async lookup<T = unknown>(key: string, options?: CacheCallOptions): Promise<CacheLookup<T>> {
    const namespace = this.namespace(options?.namespace);
    const version = await this.version(namespace);
    return version === undefined ? this.miss() : this.read<T>(namespace, version, key);
  }

  /** The stored value, or `undefined` on a miss (use {@link lookup} to tell a stored `undefined` apart). */
  async get<T = unknown>(key: string, options?: CacheCallOptions): Promise<T | undefined> {
    const found = await this.lookup<T>(key, options);
    return found.hit ? found.value : undefined;
  }

  /** Stores a value for `ttl` ms. Resolves `false` when the write failed (it was logged). */
  async set(key: string, value: unknown, options?: CacheSetOptions): Promise<boolean> {
    const namespace = this.namespace(options?.namespace);
    const ttl = this.ttl(options?.ttl);
    const version = await this.version(namespace);
    return version !== undefined && this.write(namespace, version, key, value, ttl);
  }

  /**
   * The cached value of `key`, or the loader's result, stored for `ttl` ms. Concurrent calls for
   * the same key in this process share one lookup and one loader call (single-flight). A failing
   * loader rejects every caller sharing it and stores nothing.
   */
  wrap<T>(key: string, loader: () => T | Promise<T>, options?: CacheWrapOptions<T>): Promise<T> {
    const namespace = this.namespace(options?.namespace);
    const ttl = this.ttl(options?.ttl);
    return this.flights.run(
      this.flightKey(namespace, key),
      async () => {
        const version = await this.version(namespace);
        if (version !== undefined) {
          const found = await this.read<T>(namespace, version, key);
          if (found.hit) return found.value;
        } else this.counters.misses++;
        this.counters.loads++;
        const value = await loader();
        if (version !== undefined && !options?.unless?.(value)) await this.write(namespace, version, key, value, ttl);
        return value;
      },
      () => this.counters.sharedLoads++,
    );
  }

  /** Deletes one key or several (one DEL per key, in parallel). Resolves `false` if any failed. */
  async evict(keys: string | readonly string[], options?: CacheCallOptions): Promise<boolean> {
    const namespace = this.namespace(options?.namespace);
    const list = typeof keys === 'string' ? [keys] : keys;
    for (const key of list) this.flights.forget(this.flightKey(namespace, key));
    const version = await this.version(namespace);
    if (version === undefined) return false;
    const outcomes = await Promise.all(list.map((key) => this.command(['DEL', this.dataKey(namespace, version, key)], 'evict')));
    const ok = outcomes.every((outcome) => outcome.ok);
    this.counters.evictions += outcomes.filter((outcome) => outcome.ok).length;
    return ok;
  }

  /** Makes every entry of a namespace unreachable at once (INCR of its version). */
  async evictNamespace(namespace?: string): Promise<boolean> {
    const ns = this.namespace(namespace);
    this.flights.forget(this.flightKey(ns, ''), true);
    this.versionReads.forget(ns);
    const outcome = await this.command(['INCR', this.versionKey(ns)], 'namespace evict');
    if (outcome.ok) this.counters.namespaceEvictions++;
    return outcome.ok;
  }

  /** Counters since the application started (a copy). */
  stats(): CacheStats {
    return { ...this.counters };
  }

  /** The Redis key an entry of `key` lives under right now (for debugging and tests). */
  async keyOf(key: string, options?: CacheCallOptions): Promise<string | undefined> {
    const namespace = this.namespace(options?.namespace);
    const version = await this.version(namespace);
    return version === undefined ? undefined : this.dataKey(namespace, version, key);
  }

  /** Nest lifecycle hook: flushes the throttled error log. Called by Nest on shutdown; not for application code. */
  onApplicationShutdown(): void {
    this.errorLog.dispose();
  }

  private ttl(ttl: number | undefined): number {
    if (ttl === undefined) return this.options.ttl;
    if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError('ttl', 'must be an integer of at least 1 (milliseconds)');
    return ttl;
  }

  private namespace(namespace: string | undefined): string {
    return namespace === undefined ? this.options.namespace : checkName(namespace, 'namespace');
  }

  private flightKey(namespace: string, key: string): string {
    return `${namespace}\u0000${key}`;
  }

  private versionKey(namespace: string): string {
    return `${this.options.keyPrefix}${namespace}:version`;
  }

  private dataKey(namespace: string, version: string, key: string): string {
    return `${this.options.keyPrefix}${namespace}:v${version}:${key}`;
  }

  /** The namespace's current version ('0' before the first evict), or undefined when Redis failed. */
  private async version(namespace: string): Promise<string | undefined> {
    const outcome = await this.versionReads.run(namespace, () => this.command(['GET', this.versionKey(namespace)], 'read'));
    if (!outcome.ok) return undefined;
    return outcome.value === null || outcome.value === undefined ? '0' : String(outcome.value);
  }

  private async read<T>(namespace: string, version: string, key: string): Promise<CacheLookup<T>> {
    const outcome = await this.command(['GET', this.dataKey(namespace, version, key)], 'read');
    if (!outcome.ok) return this.miss();
    try {
      const found = decodeEntry<T>(outcome.value, this.options.serializer);
      if (found.hit) this.counters.hits++;
      else this.counters.misses++;
      return found;
    } catch (error) {
      this.fail('read', error);
      return this.miss();
    }
  }

  private async write(namespace: string, version: string, key: string, value: unknown, ttl: number): Promise<boolean> {
    let entry: string;
    try {
      entry = encodeEntry(value, this.options.serializer);
    } catch (error) {
      this.fail('write', error);
      return false;
    }
    const outcome = await this.command(['SET', this.dataKey(namespace, version, key), entry, 'PX', ttl], 'write');
    if (outcome.ok) this.counters.puts++;
    return outcome.ok;
  }

  private async command(args: Array<string | number>, operation: string): Promise<{ ok: true; value: unknown } | { ok: false }> {
    try {
      return { ok: true, value: await this.cluster.sendCommand(args, { timeout: this.options.timeout }) };
    } catch (error) {
      this.fail(operation, error);
      return { ok: false };
    }
  }

  private fail(operation: string, error: unknown): void {
    this.counters.errors++;
    this.errorLog.report(operation, cacheFailOpenMessage(operation, error));
  }

  private miss<T>(): CacheLookup<T> {
    this.counters.misses++;
    return { hit: false };
  }
}
