import { jest } from '@jest/globals';
import fc from 'fast-check';
import { BasicClientSideCache, ClientSideCacheStats } from '../../../lib/index.js';
import type { CacheLookup } from '../../../lib/engine/cluster/connection-plugin.js';
import { commandInfo } from '../../../lib/engine/commands/command-info.js';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import type { RedisArgument, RespValue } from '../../../lib/engine/resp/types.js';

const A = '10.0.0.1:6379';
const B = '10.0.0.2:6379';

function look(cache: BasicClientSideCache, argv: RedisArgument[], node = A, buffers = false): CacheLookup {
  return cache.lookup(argv, commandInfo(argv).keys, node, buffers);
}

function miss(lookup: CacheLookup): Extract<CacheLookup, { done(value: RespValue): void }> {
  if (lookup.hit || lookup.shared !== undefined) throw new Error('expected a miss that loads');
  return lookup;
}

/** Miss, then store `value`. */
function load(cache: BasicClientSideCache, argv: RedisArgument[], value: RespValue, node = A, buffers = false): void {
  miss(look(cache, argv, node, buffers)).done(value);
}

function shared(lookup: CacheLookup): Promise<RespValue | undefined> {
  if (lookup.hit || lookup.shared === undefined) throw new Error('expected a shared read');
  return lookup.shared;
}

function hitValue(lookup: CacheLookup): RespValue {
  if (!lookup.hit) throw new Error('expected a hit');
  return lookup.value;
}

describe('BasicClientSideCache', () => {
  afterEach(() => jest.restoreAllMocks());

  it('misses, stores the reply, then hits; stats add up', () => {
    const cache = new BasicClientSideCache();
    expect(cache.stats().hitRate()).toBe(1);
    expect(cache.stats().missRate()).toBe(0);
    expect(cache.stats().averageLoadPenalty()).toBe(0);
    load(cache, ['GET', 'k'], 'v');
    expect(hitValue(look(cache, ['GET', 'k']))).toBe('v');
    expect(hitValue(look(cache, ['GET', 'k']))).toBe('v');
    miss(look(cache, ['GET', 'other'])).failed();
    const stats = cache.stats();
    expect(stats).toBeInstanceOf(ClientSideCacheStats);
    expect([stats.hitCount, stats.missCount, stats.loadSuccessCount, stats.loadFailureCount]).toEqual([2, 2, 1, 1]);
    expect(stats.requestCount()).toBe(4);
    expect(stats.hitRate()).toBe(0.5);
    expect(stats.missRate()).toBe(0.5);
    expect(stats.loadCount()).toBe(2);
    expect(stats.loadFailureRate()).toBe(0.5);
    expect(stats.totalLoadTime).toBeGreaterThanOrEqual(0);
    expect(stats.averageLoadPenalty()).toBeCloseTo(stats.totalLoadTime / 2);
    expect(stats.size).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('measures load time in milliseconds from lookup to reply', () => {
    let now = 1000;
    const perf = jest.spyOn(performance, 'now').mockImplementation(() => now);
    const cache = new BasicClientSideCache();
    const pending = miss(look(cache, ['GET', 'k']));
    now += 12.5;
    pending.done('v');
    expect(perf).toHaveBeenCalled();
    expect(cache.stats().totalLoadTime).toBe(12.5);
    expect(cache.stats().averageLoadPenalty()).toBe(12.5);
  });

  it('subtracts and adds snapshots', () => {
    const cache = new BasicClientSideCache();
    load(cache, ['GET', 'k'], 'v');
    const before = cache.stats();
    look(cache, ['GET', 'k']);
    look(cache, ['GET', 'k']);
    const delta = cache.stats().minus(before);
    expect([delta.hitCount, delta.missCount, delta.loadSuccessCount]).toEqual([2, 0, 0]);
    const sum = before.plus(before);
    expect([sum.hitCount, sum.missCount, sum.size]).toEqual([0, 2, 2]);
    expect(ClientSideCacheStats.empty().requestCount()).toBe(0);
  });

  it('does not store a reply whose key was invalidated while it was in flight', () => {
    const cache = new BasicClientSideCache();
    const racing = miss(look(cache, ['GET', 'k']));
    const unrelated = miss(look(cache, ['GET', 'other']));
    cache.invalidateKeys(['k'], 'server', A);
    racing.done('old');
    unrelated.done('fine');
    expect(look(cache, ['GET', 'k']).hit).toBe(false);
    expect(hitValue(look(cache, ['GET', 'other']))).toBe('fine');
    expect(cache.stats().loadSuccessCount).toBe(2); // the reply still reached its caller
  });

  it('does not store a reply in flight when its node drops (disconnect, flush) or the cache is cleared', () => {
    const cache = new BasicClientSideCache();
    const fromA = miss(look(cache, ['GET', 'a'], A));
    const fromB = miss(look(cache, ['GET', 'b'], B));
    cache.dropNode(A, 'disconnect');
    fromA.done('1');
    fromB.done('2');
    expect(look(cache, ['GET', 'a'], A).hit).toBe(false);
    expect(look(cache, ['GET', 'b'], B).hit).toBe(true);
    const beforeClear = miss(look(cache, ['GET', 'c']));
    cache.clear();
    beforeClear.done('3');
    expect(cache.size).toBe(0);
  });

  it('concurrent misses of one call share one read (single flight): copies of its reply, counted as hits', async () => {
    const cache = new BasicClientSideCache();
    const first = miss(look(cache, ['LRANGE', 'l', 0, -1]));
    const second = shared(look(cache, ['LRANGE', 'l', '0', '-1']));
    const third = shared(look(cache, ['LRANGE', 'l', 0, -1]));
    const reply = ['a', 'b'];
    first.done(reply);
    const [v2, v3] = await Promise.all([second, third]);
    expect(v2).toEqual(['a', 'b']);
    expect(v3).toEqual(['a', 'b']);
    expect(v2).not.toBe(reply);
    expect(v2).not.toBe(v3);
    expect(hitValue(look(cache, ['LRANGE', 'l', 0, -1]))).toEqual(['a', 'b']);
    expect([cache.stats().missCount, cache.stats().hitCount, cache.stats().loadSuccessCount]).toEqual([1, 3, 1]);
  });

  it('a failed shared read tells its sharers to send their own (undefined), and stores nothing', async () => {
    const cache = new BasicClientSideCache();
    const first = miss(look(cache, ['GET', 'k']));
    const second = shared(look(cache, ['GET', 'k']));
    first.failed();
    expect(await second).toBeUndefined();
    expect(cache.size).toBe(0);
    // The next miss loads again.
    miss(look(cache, ['GET', 'k'])).done('v');
    expect(hitValue(look(cache, ['GET', 'k']))).toBe('v');
  });

  it('never shares across nodes or reply modes', () => {
    const cache = new BasicClientSideCache();
    miss(look(cache, ['GET', 'k'], A));
    miss(look(cache, ['GET', 'k'], B));
    miss(look(cache, ['GET', 'k'], A, true));
  });

  it('an invalidation while a read is in flight: the reply is not stored, and later misses do not share that read', async () => {
    const cache = new BasicClientSideCache();
    const first = miss(look(cache, ['GET', 'k']));
    const before = shared(look(cache, ['GET', 'k']));
    cache.invalidateKeys(['k'], 'server', A);
    // Issued after the invalidation arrived: its own read, never the one sent before.
    const after = miss(look(cache, ['GET', 'k']));
    first.done('old');
    expect(await before).toBe('old'); // joined before the invalidation: as a hit at that moment would have been
    expect(cache.size).toBe(0);
    after.done('new');
    expect(hitValue(look(cache, ['GET', 'k']))).toBe('new');
  });

  it('a node loss or clear() while a read is in flight: not stored, not shared', () => {
    for (const drop of [(c: BasicClientSideCache) => c.dropNode(A, 'disconnect'), (c: BasicClientSideCache) => c.clear(), (c: BasicClientSideCache) => c.dropUnservedSlots(A, () => false)]) {
      const cache = new BasicClientSideCache();
      const first = miss(look(cache, ['GET', 'k']));
      drop(cache);
      const second = miss(look(cache, ['GET', 'k']));
      first.done('old');
      expect(cache.size).toBe(0);
      second.done('new');
      expect(hitValue(look(cache, ['GET', 'k']))).toBe('new');
    }
  });

  it('model: any interleaving of reads, writes, replies and invalidation pushes never serves a value an arrived invalidation made stale, and ends fresh', async () => {
    // One tracking connection: the server handles reads in the order sent and writes (another client's) at any
    // time; replies and invalidation pushes reach the client in the server's order (one socket), except that the
    // adversary may also let an invalidation overtake replies ('overtake'): the cache must not rely on the order.
    const keys = ['k1', 'k2'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('lookup' as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant('write' as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant('serve' as const) }),
      fc.record({ kind: fc.constant('deliver' as const) }),
      fc.record({ kind: fc.constant('overtake' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const cache = new BasicClientSideCache();
        const version: Record<string, number> = { k1: 0, k2: 0 };
        const invalidated: Record<string, number> = { k1: 0, k2: 0 }; // newest version whose push arrived
        const sent: Array<{ key: string; load: ReturnType<typeof miss> }> = [];
        const wire: Array<{ kind: 'reply'; load: ReturnType<typeof miss>; value: string } | { kind: 'push'; key: string; version: number }> = [];
        const joins: Array<{ key: string; min: number; value: Promise<RespValue | undefined> }> = [];
        const check = (key: string): void => {
          const lookup = look(cache, ['GET', key]);
          if (lookup.hit) {
            expect(Number(lookup.value)).toBeGreaterThanOrEqual(invalidated[key]!);
          } else if (lookup.shared) {
            joins.push({ key, min: invalidated[key]!, value: lookup.shared });
          } else {
            sent.push({ key, load: lookup });
          }
        };
        const deliver = (): void => {
          const event = wire.shift()!;
          if (event.kind === 'reply') event.load.done(event.value);
          else {
            invalidated[event.key] = Math.max(invalidated[event.key]!, event.version);
            cache.invalidateKeys([event.key], 'server', A);
          }
        };
        for (const step of ops) {
          if (step.kind === 'lookup') check(step.key);
          else if (step.kind === 'write') wire.push({ kind: 'push', key: step.key, version: ++version[step.key]! });
          else if (step.kind === 'serve' && sent.length > 0) {
            const read = sent.shift()!;
            wire.push({ kind: 'reply', load: read.load, value: String(version[read.key]) });
          } else if (step.kind === 'deliver' && wire.length > 0) deliver();
          else if (step.kind === 'overtake') {
            const index = wire.findIndex((event) => event.kind === 'push');
            if (index > 0) wire.unshift(...wire.splice(index, 1));
            if (index >= 0) deliver();
          }
        }
        while (sent.length > 0) {
          const read = sent.shift()!;
          wire.push({ kind: 'reply', load: read.load, value: String(version[read.key]) });
        }
        while (wire.length > 0) deliver();
        // Quiescent: whatever is cached is the server's value.
        for (const key of keys) {
          const lookup = look(cache, ['GET', key]);
          if (lookup.hit) expect(lookup.value).toBe(String(version[key]));
          else if (!lookup.shared) lookup.failed();
        }
        for (const join of joins) {
          const value = await join.value;
          if (value !== undefined) expect(Number(value)).toBeGreaterThanOrEqual(join.min);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('ignores a second settle of the same load', () => {
    const cache = new BasicClientSideCache();
    const pending = miss(look(cache, ['GET', 'k']));
    pending.failed();
    pending.done('late');
    expect(cache.size).toBe(0);
    expect(cache.stats().loadFailureCount).toBe(1);
    expect(cache.stats().loadSuccessCount).toBe(0);
  });

  it('invalidates every entry that depends on a key: other commands, multi-key reads', () => {
    const cache = new BasicClientSideCache();
    load(cache, ['GET', '{t}a'], '1');
    load(cache, ['STRLEN', '{t}a'], 1);
    load(cache, ['MGET', '{t}a', '{t}b'], ['1', '2']);
    load(cache, ['GET', '{t}b'], '2');
    const events: unknown[] = [];
    cache.on('invalidate', (keys, info) => events.push([keys, info]));
    cache.invalidateKeys(['{t}a'], 'server', A);
    expect(cache.size).toBe(1);
    expect(hitValue(look(cache, ['GET', '{t}b']))).toBe('2');
    expect(cache.stats().invalidationCount).toBe(3);
    expect(cache.stats().evictionCount).toBe(0);
    expect(events).toEqual([[['{t}a'], { reason: 'server', node: A }]]);
    cache.invalidate('{t}b');
    expect(cache.size).toBe(0);
  });

  it('drops only the lost node’s entries', () => {
    const cache = new BasicClientSideCache();
    load(cache, ['GET', 'a1'], '1', A);
    load(cache, ['GET', 'a2'], '2', A);
    load(cache, ['GET', 'b1'], '3', B);
    expect(cache.nodeSize(A)).toBe(2);
    cache.dropNode(A, 'flush');
    expect(cache.size).toBe(1);
    expect(cache.nodesWithEntries()).toEqual([B]);
    expect(hitValue(look(cache, ['GET', 'b1'], B))).toBe('3');
    // A later load from A is cached again (only loads in flight at the drop are discarded).
    load(cache, ['GET', 'a1'], 'new', A);
    expect(hitValue(look(cache, ['GET', 'a1'], A))).toBe('new');
  });

  it('drops the entries of slots a node no longer serves', () => {
    const cache = new BasicClientSideCache();
    const keys = ['x1', 'x2', 'x3', 'x4'];
    for (const key of keys) load(cache, ['GET', key], key, A);
    const moved = keySlot('x1');
    const dropped = cache.dropUnservedSlots(A, (slot) => slot !== moved);
    expect(dropped).toBe(keys.filter((k) => keySlot(k) === moved).length);
    expect(look(cache, ['GET', 'x1']).hit).toBe(false);
    expect(cache.size).toBe(keys.filter((k) => keySlot(k) !== moved).length);
  });

  it('hands out copies: callers cannot corrupt cached arrays, maps or Buffers', () => {
    const cache = new BasicClientSideCache();
    const reply = ['a', 'b'];
    load(cache, ['LRANGE', 'l', 0, -1], reply);
    reply.push('mutated by the first caller');
    const first = hitValue(look(cache, ['LRANGE', 'l', 0, -1])) as string[];
    expect(first).toEqual(['a', 'b']);
    first.length = 0;
    expect(hitValue(look(cache, ['LRANGE', 'l', 0, -1]))).toEqual(['a', 'b']);

    const map = Object.assign(Object.create(null) as Record<string, RespValue>, { f: 'v', nested: ['x'] });
    load(cache, ['HGETALL', 'h'], map);
    const gotMap = hitValue(look(cache, ['HGETALL', 'h'])) as Record<string, RespValue>;
    expect(Object.getPrototypeOf(gotMap)).toBeNull();
    (gotMap['nested'] as string[]).push('y');
    gotMap['f'] = 'changed';
    expect(hitValue(look(cache, ['HGETALL', 'h']))).toEqual(Object.assign(Object.create(null), { f: 'v', nested: ['x'] }));

    load(cache, ['GET', 'bin'], Buffer.from('abc'), A, true);
    const buf = hitValue(look(cache, ['GET', 'bin'], A, true)) as Buffer;
    buf[0] = 0x7a;
    expect((hitValue(look(cache, ['GET', 'bin'], A, true)) as Buffer).toString()).toBe('abc');
  });

  it('keys entries by the full binary-safe argv and the reply mode', () => {
    const cache = new BasicClientSideCache();
    load(cache, ['GET', 'k'], 'text');
    expect(look(cache, ['GET', 'k'], A, true).hit).toBe(false); // Buffer mode is another entry
    expect(look(cache, ['GET', 'k', 'x']).hit).toBe(false);
    expect(look(cache, ['GET', '1:k']).hit).toBe(false);
    load(cache, ['LRANGE', 'l', 0, 1], ['a']);
    expect(hitValue(look(cache, ['LRANGE', 'l', '0', '1']))).toEqual(['a']); // numbers are sent as text
    expect(look(cache, ['LRANGE', 'l', 0, 10]).hit).toBe(false);
    const bin = Buffer.from([0xff, 0x00, 0x3a]);
    load(cache, ['GET', bin], 'binary');
    expect(hitValue(look(cache, ['GET', Buffer.from([0xff, 0x00, 0x3a])]))).toBe('binary');
    expect(look(cache, ['GET', Buffer.from([0xff, 0x00, 0x3b])]).hit).toBe(false);
  });

  it('matches invalidations of non-UTF-8 keys by their decoded text (over-invalidation, never under)', () => {
    const cache = new BasicClientSideCache();
    const bin = Buffer.from([0xc3, 0x28]);
    load(cache, ['GET', bin], '1');
    // The push decodes the key bytes as UTF-8 (lossy), exactly like bin.toString().
    cache.invalidateKeys([bin.toString('utf8')], 'server', A);
    expect(cache.size).toBe(0);
    load(cache, ['GET', 'ключ'], '2');
    cache.invalidateKeys([Buffer.from('ключ')], 'server', A);
    expect(cache.size).toBe(0);
  });

  it('expires entries after ttl milliseconds and counts them as evictions', () => {
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const cache = new BasicClientSideCache({ ttl: 100 });
    load(cache, ['GET', 'k'], 'v');
    now += 99;
    expect(look(cache, ['GET', 'k']).hit).toBe(true);
    now += 1;
    expect(look(cache, ['GET', 'k']).hit).toBe(false);
    expect(cache.stats().evictionCount).toBe(1);
    expect(cache.size).toBe(0);
  });

  it('evicts by LRU or FIFO at maxEntries and counts evictions', () => {
    for (const policy of ['LRU', 'FIFO'] as const) {
      const cache = new BasicClientSideCache({ maxEntries: 2, evictPolicy: policy });
      load(cache, ['GET', 'a'], '1');
      load(cache, ['GET', 'b'], '2');
      look(cache, ['GET', 'a']);
      load(cache, ['GET', 'c'], '3');
      expect(look(cache, ['GET', 'a']).hit).toBe(policy === 'LRU');
      expect(cache.stats().evictionCount).toBe(1);
      expect(cache.size).toBeLessThanOrEqual(2);
    }
  });

  it('clear() resets statistics unless asked not to; invalidate(null) keeps them', () => {
    const cache = new BasicClientSideCache();
    load(cache, ['GET', 'a'], '1');
    cache.invalidate(null);
    expect(cache.size).toBe(0);
    expect(cache.stats().missCount).toBe(1);
    load(cache, ['GET', 'a'], '1');
    cache.clear(false);
    expect(cache.stats().missCount).toBe(2);
    cache.clear();
    expect(cache.stats().requestCount()).toBe(0);
  });

  it('records nothing with recordStats: false', () => {
    const cache = new BasicClientSideCache({ recordStats: false });
    load(cache, ['GET', 'a'], '1');
    look(cache, ['GET', 'a']);
    expect(cache.stats().requestCount()).toBe(0);
    expect(cache.size).toBe(1);
  });

  it('serves one cluster client at a time', () => {
    const cache = new BasicClientSideCache();
    const first = {};
    cache.bind(first);
    expect(() => cache.bind({})).toThrow(/clientSideCache.*already used by another cluster client/);
    cache.unbind(first);
    expect(() => cache.bind({})).not.toThrow();
  });
});
