import { ConfigError } from 'nest-redis-cluster';
import { decodeEntry, encodeEntry, headOf, HEAD_LENGTH, tombstone } from '../../lib/nest/cache/cache-entry.codec.js';
import { SingleFlight } from '../../lib/nest/cache/single-flight.js';
import { Cacheable } from '../../lib/nest/decorators/cacheable.decorator.js';
import { CacheEvict } from '../../lib/nest/decorators/cache-evict.decorator.js';
import { CachePut } from '../../lib/nest/decorators/cache-put.decorator.js';
import { getCacheOperations, ORIGINAL_METHOD } from '../../lib/nest/decorators/cache-operation.util.js';
import { jsonSerializer } from '../../lib/nest/redis-cluster-options.resolver.js';

describe('cache entry envelope', () => {
  it.each([[0], [''], [false], [null], [undefined], [{ a: [1, 'x'] }], ['text']])('round-trips %p as a hit', (value) => {
    expect(decodeEntry(encodeEntry(value, jsonSerializer), jsonSerializer)).toEqual({ hit: true, value });
  });

  it('tells an absent key, a tombstone and a foreign string apart (all misses)', () => {
    expect(decodeEntry(null, jsonSerializer)).toEqual({ hit: false, seen: '' });
    const dead = tombstone();
    expect(dead).toHaveLength(HEAD_LENGTH);
    expect(decodeEntry(dead, jsonSerializer)).toEqual({ hit: false, seen: dead });
    expect(decodeEntry('{"raw":1}', jsonSerializer)).toEqual({ hit: false, seen: undefined });
    expect(headOf('')).toBe('');
    expect(headOf(encodeEntry(1, jsonSerializer).slice(0, HEAD_LENGTH))).toHaveLength(HEAD_LENGTH);
  });

  it('gives every write a fresh generation', () => {
    expect(encodeEntry(1, jsonSerializer).slice(0, HEAD_LENGTH)).not.toBe(encodeEntry(1, jsonSerializer).slice(0, HEAD_LENGTH));
  });
});

describe('SingleFlight', () => {
  it('shares one call between concurrent callers of a key and starts over afterwards', async () => {
    const flight = new SingleFlight();
    let calls = 0;
    let shared = 0;
    const fn = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return calls;
    };
    const results = await Promise.all([1, 2, 3].map(() => flight.run('k', fn, () => shared++)));
    expect(results).toEqual([1, 1, 1]);
    expect(shared).toBe(2);
    expect(await flight.run('k', fn)).toBe(2);
    expect(flight.size).toBe(0);
  });

  it('does not let a caller join a call older than maxAge (a hung load does not stall the key)', async () => {
    const flight = new SingleFlight();
    let release!: (v: string) => void;
    const hung = flight.run('k', () => new Promise<string>((r) => (release = r)), undefined, 0);
    await new Promise((r) => setImmediate(r));
    let shared = 0;
    const fresh = await flight.run('k', async () => 'fresh', () => shared++, 0);
    expect(fresh).toBe('fresh');
    expect(shared).toBe(0);
    release('late');
    expect(await hung).toBe('late');
    expect(flight.size).toBe(0);
  });

  it('marks a forgotten call as detached', async () => {
    const flight = new SingleFlight();
    let seen: { detached: boolean } | undefined;
    let release!: () => void;
    const running = flight.run('k', (f) => {
      seen = f;
      return new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setImmediate(r));
    flight.forget('k');
    expect(seen!.detached).toBe(true);
    release();
    await running;
  });

  it('shares a failure too', async () => {
    const flight = new SingleFlight();
    const fn = () => Promise.reject(new Error('boom'));
    await expect(Promise.all([flight.run('k', fn), flight.run('k', fn)])).rejects.toThrow('boom');
  });
});

describe('cache decorators (metadata only, checked at definition)', () => {
  it('keep the method callable and its metadata, and stack evictions', () => {
    const marker = (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
      Reflect.defineMetadata('custom:marker', 'kept', descriptor.value as object);
    };
    class Service {
      @Cacheable({ key: 'a:{0}' })
      @CacheEvict({ key: 'b:{0}' })
      @CacheEvict({ namespace: 'other', allEntries: true })
      @marker
      async find(id: string) {
        return `found ${id}`;
      }
    }
    const method = Service.prototype.find as unknown as Record<symbol, unknown>;
    expect(getCacheOperations(method).map((op) => op.kind)).toEqual(['evict', 'evict', 'cacheable']);
    expect(Reflect.getMetadata('custom:marker', method)).toBe('kept');
    expect(typeof method[ORIGINAL_METHOD]).toBe('function');
    return expect(new Service().find('x')).resolves.toBe('found x');
  });

  it('reject bad options with a ConfigError naming the option', () => {
    expect(() => Cacheable({ ttl: 0 })).toThrow(expect.objectContaining({ option: '@Cacheable.ttl' }));
    expect(() => Cacheable({ key: 'p:{' })).toThrow(ConfigError);
    expect(() => CachePut({ namespace: 'has space' })).toThrow(expect.objectContaining({ option: '@CachePut.namespace' }));
    expect(() => CacheEvict({})).toThrow(expect.objectContaining({ option: '@CacheEvict.key' }));
  });

  it('reject @Cacheable with @CachePut, and mixed clusters, on one method', () => {
    expect(() => {
      class Bad {
        @Cacheable()
        @CachePut()
        async m() {
          return 1;
        }
      }
      return Bad;
    }).toThrow(/one of @Cacheable and @CachePut/);
    expect(() => {
      class Bad {
        @Cacheable({ cluster: 'a' })
        @CacheEvict({ cluster: 'b', allEntries: true })
        async m() {
          return 1;
        }
      }
      return Bad;
    }).toThrow(/same cluster/);
  });
});

describe('cache options', () => {
  it('apply defaults and reject bad values with a ConfigError naming the option', async () => {
    const { resolveCacheOptions } = await import('../../lib/nest/redis-cluster-options.resolver.js');
    const resolved = resolveCacheOptions(undefined);
    expect(resolved).toMatchObject({ loadTimeout: 10_000, evictTimeout: 5_000, onEvictError: 'throw', readFromReplicas: false, timeout: 1_000 });
    expect(resolved.serializer.deserialize(resolved.serializer.serialize(new Map([[1n, new Date(3)]])))).toEqual(new Map([[1n, new Date(3)]]));
    expect(() => resolveCacheOptions({ onEvictError: 'ignore' as 'log' })).toThrow(expect.objectContaining({ option: 'cache.onEvictError' }));
    expect(() => resolveCacheOptions({ timeout: 2000, evictTimeout: 1000 })).toThrow(expect.objectContaining({ option: 'cache.evictTimeout' }));
    expect(() => resolveCacheOptions({ loadTimeout: 0 })).toThrow(expect.objectContaining({ option: 'cache.loadTimeout' }));
    expect(() => resolveCacheOptions({ classes: [] as unknown as Record<string, never> })).toThrow(expect.objectContaining({ option: 'cache.classes' }));
    expect(() => resolveCacheOptions({ classes: { P: 42 as unknown as new () => object } })).toThrow(expect.objectContaining({ option: 'cache.classes.P' }));
    expect(() => resolveCacheOptions({ readFromReplicas: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ option: 'cache.readFromReplicas' }));
  });
});
