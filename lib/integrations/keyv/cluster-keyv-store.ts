import { EventEmitter } from 'node:events';
import { RedisCluster, createCluster } from '../../engine/cluster/cluster-client.js';
import type { RedisClusterOptions } from '../../engine/cluster/cluster-options.js';
import { ArgumentError, ConfigError, describeArgumentKind } from '../../engine/errors/base.error.js';
import { escapeGlob } from './glob.js';

/** Options of {@link RedisClusterKeyvStore}. */
export interface RedisClusterKeyvStoreOptions {
  /**
   * Prepended to every key this store reads or writes (before Keyv's own `namespace:` prefix), e.g. `'app1:'`.
   * Also what `clear()` may delete when Keyv has no namespace. Default: `''` (keys are Keyv's, as given).
   */
  prefix?: string;
  /**
   * Keys per SCAN call when `clear()` / `iterator()` walk the masters (a hint to Redis). Default: 500.
   */
  scanCount?: number;
  /** Delete with UNLINK (non-blocking on the server) rather than DEL. Default: true. */
  useUnlink?: boolean;
}

/** Keyv's stored data as it reaches a store: the serialized `{ value, expires }` (a string with Keyv's default serializer). */
type StoredData = string;

/**
 * A Keyv 5 storage adapter over a Redis Cluster (`KeyvStoreAdapter`): `new Keyv({ store: new
 * RedisClusterKeyvStore(cluster) })`, e.g. as a cache-manager 7 / `@nestjs/cache-manager` store.
 *
 * - Keys: Keyv passes `namespace:key` (its `namespace`, default `keyv`); the store adds `prefix` and routes each key
 *   to its slot. `getMany`/`deleteMany` are split per slot by the client (MGET/UNLINK per slot, in parallel).
 * - TTL: `set(key, value, ttl)` with `ttl` in milliseconds (`SET … PX ttl`); no ttl: no expiry.
 * - Values: Keyv's serialized strings are stored as they are (so `Buffer`s, Dates, nested objects round-trip through
 *   Keyv's serializer); a non-string value (Keyv with `serialize: undefined`) rejects with ArgumentError.
 * - `clear()` deletes only this store's keys: `prefix` + `namespace:*`, found with SCAN on every master (a full
 *   keyspace walk: O(keys in the cluster) SCAN steps, `scanCount` keys per step, plus one UNLINK per slot per page).
 *   Never FLUSHALL. With neither a namespace nor a prefix it rejects with ConfigError instead of deleting everything.
 * - The cluster: a given {@link RedisCluster} is borrowed (`disconnect()` leaves it open); options create one that
 *   the store owns and closes on `disconnect()`.
 */
export class RedisClusterKeyvStore extends EventEmitter {
  /** Set by Keyv (its `namespace` option): keys arrive as `namespace:key`. */
  namespace: string | undefined;
  /** What Keyv reads to know the store: `dialect: 'redis'` enables `Keyv.iterator()`. */
  readonly opts: { dialect: 'redis'; url: string; prefix: string; scanCount: number; useUnlink: boolean };
  /** The cluster the store talks to. */
  readonly client: RedisCluster;
  private readonly owned: boolean;
  private readonly prefix: string;

  constructor(cluster: RedisCluster | RedisClusterOptions, options: RedisClusterKeyvStoreOptions = {}) {
    super();
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string') throw new ConfigError('prefix', `must be a string (got ${describeArgumentKind(prefix)})`);
    const scanCount = options.scanCount ?? 500;
    if (!Number.isInteger(scanCount) || scanCount < 1) throw new ConfigError('scanCount', `must be a positive integer (got ${describeArgumentKind(scanCount)})`);
    this.prefix = prefix;
    if (cluster instanceof RedisCluster) {
      this.client = cluster;
      this.owned = false;
    } else {
      this.client = createCluster(cluster);
      this.owned = true;
      // A store that owns its client reports the client's errors through Keyv's 'error' event.
      this.client.on('error', (error: unknown) => this.emit('error', error));
    }
    this.opts = { dialect: 'redis', url: 'redis://cluster', prefix, scanCount, useUnlink: options.useUnlink ?? true };
  }

  private key(key: unknown, method: string, position = 0): string {
    if (typeof key !== 'string') throw new ArgumentError(`keyv.${method}`, position, 'a string key', describeArgumentKind(key), 'key');
    return this.prefix + key;
  }

  /** The stored (serialized) value of `key`, or undefined. */
  async get(key: string): Promise<StoredData | undefined> {
    const value = await this.client.get(this.key(key, 'get'));
    return value ?? undefined;
  }

  /** Values of `keys` in order (undefined for missing ones); one MGET per slot, in parallel. */
  async getMany(keys: string[]): Promise<Array<StoredData | undefined>> {
    if (!Array.isArray(keys)) throw new ArgumentError('keyv.getMany', 0, 'an array of keys', describeArgumentKind(keys), 'keys');
    if (keys.length === 0) return [];
    const values = await this.client.mGet(keys.map((k, i) => this.key(k, 'getMany', i)));
    return values.map((v) => v ?? undefined);
  }

  /** Stores `value` (Keyv's serialized string) under `key`, expiring after `ttl` milliseconds when given (> 0). */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const k = this.key(key, 'set');
    if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
      throw new ArgumentError('keyv.set', 1, "a string (Keyv's serialized value; keep Keyv's serialize option)", describeArgumentKind(value), 'value');
    }
    if (ttl === undefined || ttl === null) {
      await this.client.set(k, value);
      return true;
    }
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new ArgumentError('keyv.set', 2, 'a finite number of milliseconds >= 0', describeArgumentKind(ttl), 'ttl');
    }
    // 0 means "no expiry" in Keyv; fractions round up so a tiny ttl still expires (PX needs an integer >= 1).
    if (ttl === 0) await this.client.set(k, value);
    else await this.client.set(k, value, { PX: Math.ceil(ttl) });
    return true;
  }

  /** Stores several entries (one SET per entry, pipelined by the client). */
  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    if (!Array.isArray(entries)) throw new ArgumentError('keyv.setMany', 0, 'an array of entries', describeArgumentKind(entries), 'entries');
    await Promise.all(entries.map((e) => this.set(e.key, e.value, e.ttl)));
  }

  /** Deletes `key`; true if it existed. */
  async delete(key: string): Promise<boolean> {
    const k = this.key(key, 'delete');
    const n = this.opts.useUnlink ? await this.client.unlink(k) : await this.client.del(k);
    return n > 0;
  }

  /** Deletes `keys` (one UNLINK per slot); true if any existed. */
  async deleteMany(keys: string[]): Promise<boolean> {
    if (!Array.isArray(keys)) throw new ArgumentError('keyv.deleteMany', 0, 'an array of keys', describeArgumentKind(keys), 'keys');
    if (keys.length === 0) return false;
    const ks = keys.map((k, i) => this.key(k, 'deleteMany', i));
    const n = this.opts.useUnlink ? await this.unlinkAll(ks) : await this.client.del(ks);
    return n > 0;
  }

  /** True if `key` exists. */
  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.key(key, 'has'))) > 0;
  }

  /** Per key, whether it exists (one EXISTS per key, pipelined by the client). */
  async hasMany(keys: string[]): Promise<boolean[]> {
    if (!Array.isArray(keys)) throw new ArgumentError('keyv.hasMany', 0, 'an array of keys', describeArgumentKind(keys), 'keys');
    return Promise.all(keys.map((k) => this.has(k)));
  }

  /** The SCAN pattern of this store's keys in `namespace` (or in the store's prefix when there is none). */
  private pattern(namespace: string | undefined, method: string): string {
    if (namespace === undefined || namespace === '') {
      if (this.prefix === '') {
        throw new ConfigError(
          'namespace',
          `keyv.${method} needs a Keyv namespace or a store prefix: without either it would have to touch every key of the cluster`,
        );
      }
      return `${escapeGlob(this.prefix)}*`;
    }
    return `${escapeGlob(this.prefix + namespace)}:*`;
  }

  /**
   * Deletes every key of this store's namespace (see the class notes for the cost). Keys written while it runs may
   * survive (SCAN's guarantee covers keys present for the whole walk).
   */
  async clear(): Promise<void> {
    const MATCH = this.pattern(this.namespace, 'clear');
    for await (const page of this.client.scanIterator({ MATCH, COUNT: this.opts.scanCount })) {
      if (page.length === 0) continue;
      if (this.opts.useUnlink) await this.unlinkAll(page);
      else await this.client.del(page);
    }
  }

  /** Yields `[key, storedValue]` for every key of `namespace` (keys without the store prefix, as Keyv wrote them). */
  async *iterator(namespace?: string): AsyncGenerator<[string, StoredData | undefined], void> {
    const MATCH = this.pattern(namespace ?? this.namespace, 'iterator');
    for await (const page of this.client.scanIterator({ MATCH, COUNT: this.opts.scanCount })) {
      if (page.length === 0) continue;
      const values = await this.client.mGet(page);
      for (let i = 0; i < page.length; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) yield [page[i]!.slice(this.prefix.length), v];
      }
    }
  }

  /** Closes the cluster client if the store created it; a borrowed client stays open. */
  async disconnect(): Promise<void> {
    if (this.owned) await this.client.close();
  }

  private unlinkAll(keys: string[]): Promise<number> {
    return this.client.unlink(keys);
  }
}
