import { performance } from 'node:perf_hooks';
import { keySlot } from '../commands/key-slot.js';
import { ConfigError } from '../errors/base.error.js';
import type { CacheLookup, CacheSharedLookup } from '../cluster/connection-plugin.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { argvParts, ArgvTrie, type ArgvPart, type TrieSlot } from './argv-trie.js';
import { copyReply, isImmutableReply, redisKeyText } from './cache-key.js';
import { resolveClientSideCacheOptions, type ClientSideCacheOptions, type ResolvedClientSideCacheOptions } from './cache-options.js';
import { ClientSideCacheStats, emptyCounters, type CacheCounters } from './cache-stats.js';
import { CacheStore, type RemovalReason } from './cache-store.js';

/** Why entries were invalidated. */
export type CacheInvalidationReason =
  /** An `invalidate` push naming keys (a write, expiry or eviction on the server). */
  | 'server'
  /** A null `invalidate` push (FLUSHALL/FLUSHDB, tracking table overflow): the node's entries. */
  | 'flush'
  /** The node's main connection was lost or closed: the node's entries (tracking is gone). */
  | 'disconnect'
  /** The node no longer serves the slots of some entries, or refused CLIENT TRACKING. */
  | 'topology'
  /** `invalidate()` or `clear()` was called. */
  | 'manual';

/** Events of a {@link BasicClientSideCache}. */
export type ClientSideCacheEvents = {
  /**
   * Keys (as UTF-8 text) were invalidated, or `null`: every entry of `node` (or the whole cache
   * when `node` is undefined) was dropped.
   */
  invalidate: [keys: readonly string[] | null, info: { reason: CacheInvalidationReason; node: string | undefined }];
};

/** A cached reply. @internal */
interface Entry {
  /** Where the entry sits in the argv trie. */
  readonly slotRef: TrieSlot<Entry>;
  readonly expiresAt: number;
  older: Entry | undefined;
  newer: Entry | undefined;
  stored: boolean;
  /** A private copy of the reply. */
  readonly value: RespValue;
  /** Reused hit result when the value is immutable (no copy needed). */
  readonly hit: CacheLookup | undefined;
  /** Redis keys (text) the reply depends on. */
  readonly keys: readonly string[];
  /** Address of the node whose main connection served (and tracks) it. */
  readonly node: string;
  readonly slot: number;
}

/**
 * A reply being fetched. Stored on `done()` only if nothing invalidated its keys, its node or the
 * whole cache meanwhile. Concurrent misses of the same call on the same node, while it is still
 * valid, share it ({@link PendingLoad.join}) instead of sending their own read. @internal
 */
export class PendingLoad {
  readonly hit = false as const;
  /** An invalidation of its keys (or the cache) arrived while it was in flight: not stored, not shared any more. */
  invalid = false;
  private settled = false;
  /** Where it sits in the in-flight trie (for single flight), once registered. */
  flightRef: TrieSlot<PendingLoad> | undefined;
  /** Calls that share this read. */
  private joiners: Array<(value: RespValue | undefined) => void> | undefined;

  constructor(
    private readonly cache: BasicClientSideCache,
    readonly parts: readonly ArgvPart[],
    readonly buffers: boolean,
    readonly keys: readonly string[],
    readonly slot: number,
    readonly node: string,
    readonly nodeEpoch: number,
    readonly clearEpoch: number,
    readonly startedAt: number,
  ) {}

  done(value: RespValue): void {
    if (this.settled) return;
    this.settled = true;
    this.cache.settle(this, value, true);
    this.release(value);
  }

  failed(): void {
    if (this.settled) return;
    this.settled = true;
    this.cache.settle(this, undefined, false);
    this.release(undefined);
  }

  /**
   * A call of the same argv to the same node shares this read: resolves with a private copy of the
   * reply, or with undefined when the read failed (the caller then sends its own). Never rejects.
   */
  join(): CacheSharedLookup {
    const shared = new Promise<RespValue | undefined>((resolve) => (this.joiners ??= []).push(resolve));
    return { hit: false, shared };
  }

  private release(value: RespValue | undefined): void {
    const joiners = this.joiners;
    this.joiners = undefined;
    if (joiners === undefined) return;
    for (const resolve of joiners) resolve(value === undefined ? undefined : copyReply(value));
  }
}

/**
 * The client-side cache: replies of cacheable read-only calls, keyed by the full argv (and the
 * reply mode), each tagged with the node that served it and the Redis keys it depends on.
 * Give it to `createCluster({ clientSideCache: cache })` to keep a handle on it (or give plain
 * options and let the cluster create one). One cache serves one cluster client at a time.
 *
 * - Hits return a fresh copy of aggregate and Buffer replies (strings and numbers are immutable),
 *   so callers may mutate what they get without corrupting the cache.
 * - A reply is stored only if no invalidation of its keys, no loss or flush of its node and no
 *   `clear()` happened between the lookup and the reply.
 * - Concurrent misses of one call (same arguments, reply mode and node) share one server read
 *   (single flight): the first goes to the server, the others get a copy of its reply (or send
 *   their own if it fails). A miss issued after an invalidation of its keys arrived never shares
 *   a read sent before it. Shared calls count as hits in the statistics.
 * - Entries are dropped per node: by invalidation pushes, when that node's connection is lost or
 *   flushed, and (per entry, by slot) when the topology no longer has the node serving the
 *   entry's slot; never the whole cache on a MOVED.
 */
export class BasicClientSideCache extends TypedEmitter<ClientSideCacheEvents> {
  /** The options in effect, defaults applied. */
  readonly options: Readonly<Required<ClientSideCacheOptions>>;
  private readonly store: CacheStore<Entry>;
  private readonly trie = new ArgvTrie<Entry>();
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly byNode = new Map<string, Set<Entry>>();
  private readonly pendingByKey = new Map<string, Set<PendingLoad>>();
  /** Reads in flight that later misses of the same call may share (only valid ones). */
  private readonly inFlight = new ArgvTrie<PendingLoad>();
  private readonly nodeEpochs = new Map<string, number>();
  private clearEpoch = 0;
  private counters: CacheCounters = emptyCounters();
  private readonly ttl: number;
  private readonly record: boolean;
  private owner: object | undefined;

  /** @throws ConfigError naming the invalid option (`clientSideCache.maxEntries`…). */
  constructor(options: ClientSideCacheOptions = {}) {
    super();
    const resolved: ResolvedClientSideCacheOptions = resolveClientSideCacheOptions(options);
    this.options = Object.freeze({ ...resolved });
    this.ttl = resolved.ttl;
    this.record = resolved.recordStats;
    this.store = new CacheStore<Entry>(resolved.evictPolicy, resolved.maxEntries, (entry, reason) => this.removed(entry, reason));
  }

  /** Number of cached replies (expired ones not yet swept included). */
  get size(): number {
    return this.store.size;
  }

  /** A snapshot of the statistics (all zero when `recordStats` is false). */
  stats(): ClientSideCacheStats {
    return new ClientSideCacheStats(this.counters, this.store.size);
  }

  /**
   * Drops every entry that depends on `key` (and discards replies to them still in flight), or
   * everything when `key` is null (statistics kept).
   */
  invalidate(key: RedisArgument | null): void {
    if (key === null) return this.clear(false);
    this.invalidateKeys([key], 'manual', undefined);
  }

  /** Drops every entry and discards replies in flight; resets the statistics unless `resetStats` is false. */
  clear(resetStats = true): void {
    this.clearEpoch++;
    const dropped = this.store.size;
    this.store.clear();
    this.trie.clear();
    this.inFlight.clear();
    this.byKey.clear();
    this.byNode.clear();
    for (const pendings of this.pendingByKey.values()) for (const pending of pendings) this.invalidatePending(pending);
    if (resetStats) this.counters = emptyCounters();
    else if (this.record) this.counters.invalidationCount += dropped;
    this.emit('invalidate', null, { reason: 'manual', node: undefined });
  }

  // ---- used by the tracking plugin and the executor ---------------------------------------

  /** Claims the cache for one cluster client; throws ConfigError if another one holds it. @internal */
  bind(owner: object): void {
    if (this.owner !== undefined && this.owner !== owner) {
      throw new ConfigError('clientSideCache', 'this BasicClientSideCache is already used by another cluster client (create one per client, or close the other client first)');
    }
    this.owner = owner;
  }

  /** Releases the cache when its client closes. @internal */
  unbind(owner: object): void {
    if (this.owner === owner) this.owner = undefined;
  }

  /**
   * A hit (a copy of the cached reply) or a pending load to settle with the reply. The caller has
   * checked that the call is cacheable and that `node` tracks its reads. @internal
   */
  lookup(argv: readonly RedisArgument[], keys: readonly RedisArgument[], node: string, buffers: boolean): CacheLookup {
    const entry = this.trie.get(argv, buffers);
    if (entry !== undefined && this.store.read(entry, this.ttl > 0 ? Date.now() : 0)) {
      if (this.record) this.counters.hitCount++;
      return entry.hit ?? { hit: true, value: copyReply(entry.value) };
    }
    const leader = this.inFlight.get(argv, buffers);
    if (leader !== undefined && this.isShareable(leader, node)) {
      if (this.record) this.counters.hitCount++;
      return leader.join();
    }
    if (this.record) this.counters.missCount++;
    const texts = keys.map(redisKeyText);
    const parts = argvParts(argv);
    const pending = new PendingLoad(this, parts, buffers, texts, keySlot(keys[0]!), node, this.nodeEpochs.get(node) ?? 0, this.clearEpoch, performance.now());
    pending.flightRef = this.inFlight.slotFor(parts, buffers);
    this.inFlight.put(pending.flightRef, pending);
    for (const text of texts) {
      let set = this.pendingByKey.get(text);
      if (set === undefined) this.pendingByKey.set(text, (set = new Set()));
      set.add(pending);
    }
    return pending;
  }

  /** Settles a pending load: stores the reply unless it was invalidated meanwhile. @internal */
  settle(pending: PendingLoad, value: RespValue | undefined, ok: boolean): void {
    if (pending.flightRef !== undefined) this.inFlight.delete(pending.flightRef, pending);
    for (const text of pending.keys) {
      const set = this.pendingByKey.get(text);
      if (set !== undefined && set.delete(pending) && set.size === 0) this.pendingByKey.delete(text);
    }
    if (this.record) {
      if (ok) this.counters.loadSuccessCount++;
      else this.counters.loadFailureCount++;
      this.counters.totalLoadTime += performance.now() - pending.startedAt;
    }
    if (!ok || value === undefined || pending.invalid || pending.clearEpoch !== this.clearEpoch) return;
    if ((this.nodeEpochs.get(pending.node) ?? 0) !== pending.nodeEpoch) return;
    const stored = copyReply(value);
    const now = this.ttl > 0 ? Date.now() : 0;
    const entry: Entry = {
      slotRef: this.trie.slotFor(pending.parts, pending.buffers),
      expiresAt: this.ttl > 0 ? now + this.ttl : Infinity,
      older: undefined,
      newer: undefined,
      stored: false,
      value: stored,
      hit: isImmutableReply(stored) ? Object.freeze({ hit: true as const, value: stored }) : undefined,
      keys: pending.keys,
      node: pending.node,
      slot: pending.slot,
    };
    const previous = this.trie.put(entry.slotRef, entry);
    if (previous !== undefined) this.store.remove(previous, 'replaced');
    this.store.add(entry, now);
    for (const text of entry.keys) addTo(this.byKey, text, entry);
    addTo(this.byNode, entry.node, entry);
  }

  /** Drops the entries depending on `keys` and discards their loads in flight. @internal */
  invalidateKeys(keys: readonly (RedisArgument | RespValue)[], reason: CacheInvalidationReason, node: string | undefined): void {
    const texts: string[] = [];
    for (const key of keys) {
      const text = redisKeyText(key);
      texts.push(text);
      const pendings = this.pendingByKey.get(text);
      if (pendings !== undefined) for (const pending of pendings) this.invalidatePending(pending);
      const entries = this.byKey.get(text);
      if (entries === undefined) continue;
      for (const entry of [...entries]) this.store.remove(entry, 'invalidated');
    }
    this.emit('invalidate', texts, { reason, node });
  }

  /**
   * Drops every entry served by `node` and discards its loads in flight (its tracking state is
   * gone or was flushed). @internal
   */
  dropNode(node: string, reason: CacheInvalidationReason): void {
    this.nodeEpochs.set(node, (this.nodeEpochs.get(node) ?? 0) + 1);
    const entries = this.byNode.get(node);
    this.byNode.delete(node);
    if (entries !== undefined) for (const entry of entries) this.store.remove(entry, 'invalidated');
    this.emit('invalidate', null, { reason, node });
  }

  /**
   * Drops the entries of `node` whose slot it no longer serves, and discards its loads in flight
   * (they may have been read just before the slot moved). Returns how many entries were dropped. @internal
   */
  dropUnservedSlots(node: string, serves: (slot: number) => boolean): number {
    this.nodeEpochs.set(node, (this.nodeEpochs.get(node) ?? 0) + 1);
    const entries = this.byNode.get(node);
    if (entries === undefined) return 0;
    const keys = new Set<string>();
    let dropped = 0;
    for (const entry of [...entries]) {
      if (serves(entry.slot) || !this.store.remove(entry, 'invalidated')) continue;
      dropped++;
      for (const key of entry.keys) keys.add(key);
    }
    // Told like a server invalidation, with the keys of the dropped entries.
    if (dropped > 0) this.emit('invalidate', [...keys], { reason: 'topology', node });
    return dropped;
  }

  /** Addresses of nodes with cached entries. @internal */
  nodesWithEntries(): string[] {
    return [...this.byNode.keys()];
  }

  /** Number of entries served by `node`. @internal */
  nodeSize(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }

  /** A read in flight is shareable while nothing invalidated it and it reads from `node`. */
  private isShareable(pending: PendingLoad, node: string): boolean {
    return !pending.invalid && pending.node === node && pending.clearEpoch === this.clearEpoch && pending.nodeEpoch === (this.nodeEpochs.get(node) ?? 0);
  }

  /** Marks a read in flight invalid: its reply will not be stored, and later misses do not share it. */
  private invalidatePending(pending: PendingLoad): void {
    pending.invalid = true;
    if (pending.flightRef !== undefined) this.inFlight.delete(pending.flightRef, pending);
  }

  private removed(entry: Entry, reason: RemovalReason): void {
    this.trie.delete(entry.slotRef, entry);
    for (const text of entry.keys) removeFrom(this.byKey, text, entry);
    removeFrom(this.byNode, entry.node, entry);
    if (!this.record) return;
    if (reason === 'expired' || reason === 'evicted') this.counters.evictionCount++;
    else if (reason === 'invalidated') this.counters.invalidationCount++;
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set !== undefined && set.delete(value) && set.size === 0) map.delete(key);
}

/** What the `clientSideCache` cluster option accepts: options, or a cache built with them (shared by clients). */
export type ClientSideCacheOption = ClientSideCacheOptions | BasicClientSideCache;
