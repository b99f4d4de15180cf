import { BasicClientSideCache, createCluster, type RedisClusterOptions } from '../../../lib/index.js';
import { DEFAULT_CACHE_MAX_ENTRIES, resolveClientSideCacheOptions } from '../../../lib/engine/cache/cache-options.js';
import { configError } from '../support/config-error.js';

const rootNodes = [{ url: 'redis://127.0.0.1:1' }];

describe('clientSideCache options', () => {
  it('applies the defaults: ttl 0, maxEntries bounded (10,000; 0 = unlimited only when asked), LRU, stats on', () => {
    expect(new BasicClientSideCache().options).toEqual({ ttl: 0, maxEntries: 10_000, evictPolicy: 'LRU', recordStats: true });
    expect(DEFAULT_CACHE_MAX_ENTRIES).toBe(10_000);
    expect(new BasicClientSideCache({ maxEntries: 0 }).options.maxEntries).toBe(0);
    expect(Object.isFrozen(new BasicClientSideCache().options)).toBe(true);
    expect(resolveClientSideCacheOptions({ ttl: 5, maxEntries: 10, evictPolicy: 'FIFO' })).toEqual({ ttl: 5, maxEntries: 10, evictPolicy: 'FIFO', recordStats: true });
  });

  it.each<[unknown, string, RegExp]>([
    [{ ttl: -1 }, 'clientSideCache.ttl', /milliseconds >= 0/],
    [{ ttl: Number.NaN }, 'clientSideCache.ttl', /finite/],
    [{ ttl: '100' }, 'clientSideCache.ttl', /number/],
    [{ maxEntries: -1 }, 'clientSideCache.maxEntries', /integer >= 0/],
    [{ maxEntries: 1.5 }, 'clientSideCache.maxEntries', /integer/],
    [{ maxEntries: Infinity }, 'clientSideCache.maxEntries', /integer/],
    [{ evictPolicy: 'LFU' }, 'clientSideCache.evictPolicy', /'LRU' or 'FIFO'/],
    [{ evictPolicy: 'lru' }, 'clientSideCache.evictPolicy', /'LRU' or 'FIFO'/],
    [{ recordStats: 1 }, 'clientSideCache.recordStats', /boolean/],
    [{ size: 10 }, 'clientSideCache.size', /not a known option/],
    [true, 'clientSideCache', /options object .* or a BasicClientSideCache instance/],
    ['LRU', 'clientSideCache', /options object/],
    [[], 'clientSideCache', /options object/],
  ])('rejects %p at createCluster time, naming %s', (value, option, message) => {
    const error = configError(() => createCluster({ rootNodes, clientSideCache: value } as RedisClusterOptions));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`"${option}"`);
  });

  it('rejects invalid options in the BasicClientSideCache constructor too', () => {
    expect(configError(() => new BasicClientSideCache({ maxEntries: -5 })).option).toBe('clientSideCache.maxEntries');
  });

  it('refuses RESP2: invalidations are RESP3 pushes on the tracking connection', () => {
    for (const clientSideCache of [{}, new BasicClientSideCache()]) {
      const error = configError(() => createCluster({ rootNodes, defaults: { RESP: 2 }, clientSideCache }));
      expect(error.option).toBe('clientSideCache');
      expect(error.message).toMatch(/RESP3/);
    }
  });

  it('is off when absent, null or false; on with options or an instance', () => {
    expect(createCluster({ rootNodes }).clientSideCache).toBeUndefined();
    expect(createCluster({ rootNodes, clientSideCache: null } as unknown as RedisClusterOptions).clientSideCache).toBeUndefined();
    expect(createCluster({ rootNodes, clientSideCache: false } as unknown as RedisClusterOptions).clientSideCache).toBeUndefined();
    expect(createCluster({ rootNodes, clientSideCache: {} }).clientSideCache).toBeDefined();
    expect(createCluster({ rootNodes, clientSideCache: { ttl: 1000, maxEntries: 100, evictPolicy: 'FIFO' } }).clientSideCache).toBeDefined();
  });

  it('gives one cache instance to one client at a time', async () => {
    const cache = new BasicClientSideCache();
    const first = createCluster({ rootNodes, clientSideCache: cache });
    const error = configError(() => createCluster({ rootNodes, clientSideCache: cache }));
    expect(error.option).toBe('clientSideCache');
    expect(error.message).toMatch(/already used by another cluster client/);
    await first.close();
    const second = createCluster({ rootNodes, clientSideCache: cache });
    expect(second.clientSideCache).toBeDefined();
    await second.close();
  });
});
