import { performance } from 'node:perf_hooks';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { RedisClusterOptions } from '../../engine/cluster/cluster-options.js';
import { ArgumentError, ClientClosedError, ConfigError, describeArgumentKind } from '../../engine/errors/base.error.js';
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
import { EVICT_RETRY_FIRST_MS, EVICT_RETRY_MAX_MS, tombstoneTtl } from './cache.defaults.js';
import { CacheEvictError } from './cache.errors.js';
import { decodeEntry, encodeEntry, headOf, HEAD_LENGTH, tombstone, type DecodedEntry } from './cache-entry.codec.js';
import { CONDITIONAL_SET } from './cache-scripts.js';
import { NamespaceTokens } from './namespace-tokens.js';
import { SingleFlight, type Flight } from './single-flight.js';

const ERROR_SUMMARY_INTERVAL = 10_000;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * A cache over one Redis cluster, the imperative twin of `@Cacheable`, `@CachePut` and
 * `@CacheEvict`. Inject it by its class for the default cluster, or with
 * `@InjectRedisCache(name)` for a named one.
 *
 * Layout: `<keyPrefix><namespace>:<token>:<key>`, spread over every slot. Each namespace has a
 * random token in `<keyPrefix><namespace>:token`, held in process memory and invalidated by the
 * server (client tracking), so a hit is one GET of the entry (none with the cluster's client-side
 * cache on). Evicting a namespace sets a new random token: older entries are never read again and
 * expire by their TTL (no SCAN; a lost token key is replaced by a new random one, never an old one).
 *
 * Evicting a key writes a short-lived tombstone; a load stores its result only if the entry is
 * still as it was when the load started (one atomic script on the entry's node), so a load that
 * started before an evict never stores its result after it.
 *
 * Fail-open: a cache read or write that fails or passes `cache.timeout` is logged (throttled),
 * counted in `stats().errors`, and treated as a miss / skipped. Evicts are retried for
 * `cache.evictTimeout` and then fail (`CacheEvictError`) unless `cache.onEvictError` is `'log'`.
 */
export class RedisCacheService implements OnApplicationShutdown {
  private readonly flights = new SingleFlight();
  private readonly counters: CacheStats = { hits: 0, misses: 0, loads: 0, sharedLoads: 0, puts: 0, evictions: 0, namespaceEvictions: 0, errors: 0, skippedWrites: 0 };
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly errorLog: ErrorLogThrottle;
  private readonly tokens: NamespaceTokens;
  private readonly tombstoneTtl: number;
  private readonly master: boolean;
  private readonly closing = new AbortController();

  /** @internal */
  constructor(
    private readonly cluster: RedisCluster,
    /** @internal */ readonly options: ResolvedCacheOptions,
    /** Name of the cluster holding this cache. */
    readonly clusterName: string,
    /** @internal Options of the cluster client, to open the namespace-token tracking client. */
    engine?: RedisClusterOptions,
  ) {
    this.errorLog = new ErrorLogThrottle(ERROR_SUMMARY_INTERVAL, (line) =>
      this.logger.warn(
        line.suppressed === 0
          ? `Redis cluster "${clusterName}": ${line.message}`
          : `Redis cluster "${clusterName}": ${line.suppressed} more cache error(s) in the last ${Math.round(line.windowMs / 1000)} s (last: ${line.message})`,
      ),
    );
    this.tokens = new NamespaceTokens(cluster, engine, options.keyPrefix, (operation, error) => this.fail(operation, error));
    this.tombstoneTtl = tombstoneTtl(options.loadTimeout, options.timeout);
    this.master = !options.readFromReplicas;
  }

  /** Reads an entry; `{ hit: false }` on a miss or a failed read. Falsy stored values are hits. */
  async lookup<T = unknown>(key: string, options?: CacheCallOptions): Promise<CacheLookup<T>> {
    checkKey(key, 'lookup');
    const namespace = this.namespace(options?.namespace);
    const token = await this.token(namespace);
    if (token === undefined) return this.miss();
    const found = await this.read<T>(this.dataKey(namespace, token, key));
    return found.hit ? found : { hit: false };
  }

  /** The stored value, or `undefined` on a miss (use {@link lookup} to tell a stored `undefined` apart). */
  async get<T = unknown>(key: string, options?: CacheCallOptions): Promise<T | undefined> {
    const found = await this.lookup<T>(key, options);
    return found.hit ? found.value : undefined;
  }

  /** Stores a value for `ttl` ms (unconditionally). Resolves `false` when the write failed (it was logged). */
  async set(key: string, value: unknown, options?: CacheSetOptions): Promise<boolean> {
    checkKey(key, 'set');
    const namespace = this.namespace(options?.namespace);
    const ttl = this.ttl(options?.ttl);
    this.flights.forget(this.flightKey(namespace, key));
    const token = await this.token(namespace);
    if (token === undefined) return false;
    const dataKey = this.dataKey(namespace, token, key);
    const entry = this.encode(value);
    if (entry === undefined) return false;
    const outcome = await this.command(['SET', dataKey, entry, 'PX', ttl], 'write');
    this.forgetLocal(dataKey);
    if (outcome.ok) this.counters.puts++;
    return outcome.ok;
  }

  /**
   * The cached value of `key`, or the loader's result, stored for `ttl` ms. Concurrent calls for
   * the same key in this process share one lookup and one loader call (single-flight) while it is
   * younger than `cache.loadTimeout`. A failing loader rejects every caller sharing it and stores
   * nothing. The result is stored only if no evict or other write touched the key meanwhile.
   * Never throws synchronously: invalid options reject.
   */
  wrap<T>(key: string, loader: () => T | Promise<T>, options?: CacheWrapOptions<T>): Promise<T> {
    let namespace: string;
    let ttl: number;
    try {
      checkKey(key, 'wrap');
      if (typeof loader !== 'function') throw new ArgumentError('RedisCacheService.wrap', 1, 'a function', describeArgumentKind(loader), 'loader');
      namespace = this.namespace(options?.namespace);
      ttl = this.ttl(options?.ttl);
      if (options?.unless !== undefined && typeof options.unless !== 'function') throw new ConfigError('unless', 'must be a function');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.flights.run(
      this.flightKey(namespace, key),
      (flight) => this.load(namespace, key, loader, ttl, flight, options?.unless),
      () => this.counters.sharedLoads++,
      this.options.loadTimeout,
    );
  }

  /**
   * Deletes one key or several: each becomes a short-lived tombstone (a miss that loads already
   * running cannot overwrite). Retried for `cache.evictTimeout`; then rejects with a
   * `CacheEvictError`, or resolves `false` when `cache.onEvictError` is `'log'`.
   */
  async evict(keys: string | readonly string[], options?: CacheCallOptions): Promise<boolean> {
    const namespace = this.namespace(options?.namespace);
    const list = typeof keys === 'string' ? [keys] : Array.isArray(keys) ? (keys as readonly string[]) : undefined;
    if (list === undefined) throw new ArgumentError('RedisCacheService.evict', 0, 'a string or an array of strings', describeArgumentKind(keys), 'keys');
    list.forEach((key, i) => checkKey(key, 'evict', i));
    for (const key of list) this.flights.forget(this.flightKey(namespace, key));
    let pending = [...new Set(list)];
    const done = await this.retry(namespace, async (timeout) => {
      const token = await this.tokens.current(namespace, timeout);
      const outcomes = await Promise.all(
        pending.map(async (key) => {
          const dataKey = this.dataKey(namespace, token, key);
          try {
            await this.cluster.sendCommand(['SET', dataKey, tombstone(), 'PX', this.tombstoneTtl], { timeout });
            this.counters.evictions++;
            return undefined;
          } catch (error) {
            return { key, error };
          } finally {
            this.forgetLocal(dataKey);
          }
        }),
      );
      const failed = outcomes.filter((outcome) => outcome !== undefined);
      pending = failed.map((outcome) => outcome.key);
      if (failed.length > 0) throw failed[0]!.error;
    });
    return done === true ? true : this.evictFailed(new CacheEvictError(namespace, pending.length, done.attempts, this.options.evictTimeout, { cause: done.error }));
  }

  /**
   * Makes every entry of a namespace unreachable at once (a new random namespace token). Retried
   * and failed like {@link evict}.
   */
  async evictNamespace(namespace?: string): Promise<boolean> {
    const ns = this.namespace(namespace);
    this.flights.forget(this.flightKey(ns, ''), true);
    const done = await this.retry(ns, async (timeout) => {
      await this.tokens.rotate(ns, timeout);
    });
    if (done === true) {
      this.counters.namespaceEvictions++;
      return true;
    }
    return this.evictFailed(new CacheEvictError(ns, 'namespace', done.attempts, this.options.evictTimeout, { cause: done.error }));
  }

  /** Counters since the application started (a copy). */
  stats(): CacheStats {
    return { ...this.counters };
  }

  /** The Redis key an entry of `key` lives under right now (for debugging and tests). */
  async keyOf(key: string, options?: CacheCallOptions): Promise<string | undefined> {
    checkKey(key, 'keyOf');
    const namespace = this.namespace(options?.namespace);
    const token = await this.token(namespace);
    return token === undefined ? undefined : this.dataKey(namespace, token, key);
  }

  /** True when namespace tokens are served from process memory, invalidated by the server. */
  get tracksNamespaces(): boolean {
    return this.tokens.tracking;
  }

  /**
   * @internal `@CachePut`: reads the entry's head, runs `call`, then stores its result only if the
   * entry is unchanged; if something else wrote or evicted it meanwhile, or the call took longer
   * than `loadTimeout`, the entry is evicted.
   */
  async refresh<T>(key: string, call: () => Promise<T>, options: CacheSetOptions & { unless?: (value: T) => boolean }): Promise<T> {
    const namespace = this.namespace(options.namespace);
    const ttl = this.ttl(options.ttl);
    const startedAt = performance.now();
    this.flights.forget(this.flightKey(namespace, key));
    const token = await this.token(namespace);
    const dataKey = token === undefined ? undefined : this.dataKey(namespace, token, key);
    let seen: string | undefined;
    if (dataKey !== undefined) {
      const outcome = await this.command(['GETRANGE', dataKey, 0, HEAD_LENGTH - 1], 'read', this.master);
      if (outcome.ok) seen = headOf(outcome.value);
    }
    const value = await call();
    if (dataKey !== undefined && !options.unless?.(value)) {
      // Age guard, as in load(): the conditional write only sees what an evict left while its
      // tombstone lives (tombstoneTtl > loadTimeout + 2 × timeout). Once the call has run longer
      // than loadTimeout, an evict made meanwhile may have expired, and a key that was absent when
      // the call started looks untouched: storing would put back a value older than that evict.
      // Evict instead (a tombstone): the next read loads afresh.
      const tooOld = performance.now() - startedAt > this.options.loadTimeout;
      if (tooOld) this.counters.skippedWrites++;
      if (seen === undefined || tooOld) await this.command(['SET', dataKey, tombstone(), 'PX', this.tombstoneTtl], 'write');
      else await this.conditionalWrite(dataKey, seen, value, ttl, true);
      this.forgetLocal(dataKey);
    }
    return value;
  }

  /** Nest lifecycle hook: closes the namespace-token client and flushes the throttled error log. Called by Nest on shutdown; not for application code. */
  async onApplicationShutdown(): Promise<void> {
    this.closing.abort();
    await this.tokens.close();
    this.errorLog.dispose();
  }

  private async load<T>(namespace: string, key: string, loader: () => T | Promise<T>, ttl: number, flight: Flight, unless?: (value: T) => boolean): Promise<T> {
    const token = await this.token(namespace);
    let dataKey: string | undefined;
    let seen: string | undefined;
    if (token === undefined) this.counters.misses++;
    else {
      dataKey = this.dataKey(namespace, token, key);
      const found = await this.read<T>(dataKey);
      if (found.hit) return found.value;
      seen = found.seen;
    }
    this.counters.loads++;
    const value = await loader();
    if (dataKey === undefined || seen === undefined || unless?.(value)) return value;
    // Age guard: `seen` proves "no evict since the load started" only while an evict's tombstone
    // lives (tombstoneTtl > loadTimeout + 2 × timeout); a load older than loadTimeout may have
    // outlived one (the key absent again, as it was), so it stores nothing.
    if (flight.detached || performance.now() - flight.startedAt > this.options.loadTimeout) {
      this.counters.skippedWrites++;
      return value;
    }
    await this.conditionalWrite(dataKey, seen, value, ttl, false);
    this.forgetLocal(dataKey);
    return value;
  }

  private async conditionalWrite(dataKey: string, seen: string, value: unknown, ttl: number, tombstoneOnConflict: boolean): Promise<void> {
    const entry = this.encode(value);
    if (entry === undefined) return;
    try {
      const written = await this.cluster.runScript<number>(
        CONDITIONAL_SET,
        { keys: [dataKey], arguments: [seen, entry, ttl, tombstoneOnConflict ? tombstone() : '', this.tombstoneTtl] },
        { timeout: this.options.timeout },
      );
      if (written === 1) this.counters.puts++;
      else this.counters.skippedWrites++;
    } catch (error) {
      this.fail('write', error);
    }
  }

  private encode(value: unknown): string | undefined {
    try {
      return encodeEntry(value, this.options.serializer);
    } catch (error) {
      this.fail('write', error);
      return undefined;
    }
  }

  /** Runs `attempt` until it succeeds or `evictTimeout` passes (backing off between attempts). */
  private async retry(namespace: string, attempt: (timeout: number) => Promise<void>): Promise<true | { attempts: number; error: unknown }> {
    const deadline = performance.now() + this.options.evictTimeout;
    let wait = EVICT_RETRY_FIRST_MS;
    let attempts = 0;
    let last: unknown;
    for (;;) {
      const left = deadline - performance.now();
      if (this.closing.signal.aborted) return { attempts, error: last ?? new ClientClosedError('The cache is shut down') };
      if (left < 1 && attempts > 0) return { attempts, error: last };
      attempts++;
      try {
        await attempt(Math.max(1, Math.min(this.options.timeout, Math.floor(left))));
        return true;
      } catch (error) {
        last = error;
        this.fail('evict', error);
      }
      const pause = Math.min(wait, deadline - performance.now());
      if (pause <= 0) return { attempts, error: last };
      await this.sleep(pause);
      wait = Math.min(wait * 2, EVICT_RETRY_MAX_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.closing.signal;
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private evictFailed(error: CacheEvictError): boolean {
    if (this.options.onEvictError === 'throw') throw error;
    this.errorLog.report('evict', error.message);
    return false;
  }

  private ttl(ttl: number | undefined): number {
    if (ttl === undefined) return this.options.ttl;
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1) throw new ConfigError('ttl', 'must be an integer of at least 1 (milliseconds)');
    return ttl;
  }

  private namespace(namespace: string | undefined): string {
    return namespace === undefined ? this.options.namespace : checkName(namespace, 'namespace');
  }

  private flightKey(namespace: string, key: string): string {
    return `${namespace}\u0000${key}`;
  }

  private dataKey(namespace: string, token: string, key: string): string {
    return `${this.options.keyPrefix}${namespace}:${token}:${key}`;
  }

  /** The namespace's current token, or undefined when Redis failed (logged). */
  private async token(namespace: string): Promise<string | undefined> {
    try {
      return await this.tokens.current(namespace, this.options.timeout);
    } catch (error) {
      this.fail('read', error);
      return undefined;
    }
  }

  private async read<T>(dataKey: string): Promise<DecodedEntry<T>> {
    const outcome = await this.command(['GET', dataKey], 'read', this.master);
    if (!outcome.ok) {
      this.counters.misses++;
      return { hit: false, seen: undefined };
    }
    try {
      const found = decodeEntry<T>(outcome.value, this.options.serializer);
      if (found.hit) this.counters.hits++;
      else this.counters.misses++;
      return found;
    } catch (error) {
      this.fail('read', error);
      this.counters.misses++;
      return { hit: false, seen: undefined };
    }
  }

  /** Drops this process's client-side copy of a key we just wrote (its invalidation may still be on the way). */
  private forgetLocal(dataKey: string): void {
    this.cluster.clientSideCache?.invalidate(dataKey);
  }

  private async command(args: Array<string | number>, operation: string, master?: boolean): Promise<Outcome> {
    try {
      return { ok: true, value: await this.cluster.sendCommand(args, { timeout: this.options.timeout, ...(master ? { master: true } : {}) }) };
    } catch (error) {
      this.fail(operation, error);
      return { ok: false, error };
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

function checkKey(key: unknown, method: string, index?: number): asserts key is string {
  if (typeof key !== 'string') {
    throw new ArgumentError(`RedisCacheService.${method}`, index === undefined ? 0 : `keys[${index}]`, 'a string', describeArgumentKind(key), 'key');
  }
}
