import 'reflect-metadata';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ArgumentError,
  CacheEvict,
  CacheEvictError,
  CacheKeyConflictError,
  CachePut,
  Cacheable,
  ConfigError,
  RedisCacheService,
  RedisCluster,
  RedisClusterModule,
  SyncCachedMethodError,
  type RedisClusterModuleOptions,
} from 'nest-redis-cluster';
import { describeWithServers, mastersAndReplicas, nodeCommand, redisCli, testServers } from '../support/servers.js';
import { HandleTracker, closeAndExpectNoLeaks, closedPorts, deferred, eventually, inScopeOf, mainRootNodes, sleep, tracked, uniqueNamespace, untilHeld } from './support/nest-test.helpers.js';

/**
 * Calls of each command since the server started, summed over `ports`: by default the main
 * cluster's masters (a replica also counts the DEL its master propagates when a key expires, which
 * would make "no DEL" depend on when earlier tests' keys expire).
 */
async function commandCalls(ports?: readonly number[]): Promise<Record<string, number>> {
  ports ??= (await mastersAndReplicas(testServers().clusters.main)).masters;
  const totals: Record<string, number> = {};
  for (const port of ports) {
    const text = String(await nodeCommand(port, 'INFO', 'commandstats'));
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) totals[match[1]!] = (totals[match[1]!] ?? 0) + Number(match[2]);
  }
  return totals;
}

function delta(before: Record<string, number>, after: Record<string, number>, commands: readonly string[]): Record<string, number> {
  return Object.fromEntries(commands.map((c) => [c, (after[c] ?? 0) - (before[c] ?? 0)]));
}

const DATA_COMMANDS = ['get', 'getrange', 'set', 'evalsha', 'eval', 'del'];

/** Boots an app (call it in a HandleTracker's scope: what the app creates is tracked). */
async function startApp(providers: Array<new (...args: never[]) => unknown>, options: Partial<RedisClusterModuleOptions> = {}): Promise<{ app: INestApplication }> {
  const moduleRef = await Test.createTestingModule({
    imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), logging: false, ...options } as RedisClusterModuleOptions)],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app };
}

describeWithServers('cache consistency on the real cluster', () => {
  describe('RedisCacheService races (controlled interleavings)', () => {
    let app: INestApplication;
    let cache: RedisCacheService;
    let tracker: HandleTracker;
    const inRaces = inScopeOf(() => tracker);

    beforeAll(async () => {
      tracker = new HandleTracker();
      ({ app } = await tracker.run(() => startApp([])));
      cache = app.get(RedisCacheService);
    });

    afterAll(async () => {
      await closeAndExpectNoLeaks(app, tracker);
    });

    it('a load that started before evict() never stores its result after it', inRaces(async () => {
      const ns = uniqueNamespace('race');
      const slow = deferred<string>();
      let loads = 0;
      const first = cache.wrap('k', () => (loads++, slow.promise), { namespace: ns });
      await untilHeld(() => loads === 1);
      expect(await cache.evict('k', { namespace: ns })).toBe(true);
      const skipped = cache.stats().skippedWrites;
      slow.resolve('stale');
      expect(await first).toBe('stale'); // its caller gets what it loaded…
      expect(cache.stats().skippedWrites).toBe(skipped + 1);
      expect(await cache.lookup('k', { namespace: ns })).toEqual({ hit: false }); // …but it is not stored
      expect(await cache.wrap('k', async () => 'fresh', { namespace: ns })).toBe('fresh');
      expect(await cache.get('k', { namespace: ns })).toBe('fresh');
    }));

    it('a load that started before evictNamespace() writes under the old token, never read again', inRaces(async () => {
      const ns = uniqueNamespace('race');
      const slow = deferred<string>();
      let loads = 0;
      const first = cache.wrap('k', () => (loads++, slow.promise), { namespace: ns });
      await untilHeld(() => loads === 1);
      const before = await cache.keyOf('k', { namespace: ns });
      expect(await cache.evictNamespace(ns)).toBe(true);
      slow.resolve('stale');
      expect(await first).toBe('stale');
      expect(await cache.keyOf('k', { namespace: ns })).not.toBe(before);
      expect(await cache.lookup('k', { namespace: ns })).toEqual({ hit: false });
    }));

    it('a load that started before a set() does not overwrite it', inRaces(async () => {
      const ns = uniqueNamespace('race');
      const slow = deferred<string>();
      let loads = 0;
      const first = cache.wrap('k', () => (loads++, slow.promise), { namespace: ns });
      await untilHeld(() => loads === 1);
      await cache.set('k', 'newer', { namespace: ns });
      slow.resolve('older');
      expect(await first).toBe('older');
      expect(await cache.get('k', { namespace: ns })).toBe('newer');
    }));

    it('a lost namespace token is replaced by a new random one: old entries never come back', inRaces(async () => {
      const ns = uniqueNamespace('lost');
      await cache.set('k', 'old', { namespace: ns });
      const port = testServers().clusters.main.ports[0]!;
      const oldToken = await redisCli({ port }, '-c', 'GET', `cache:${ns}:token`);
      expect(oldToken).toMatch(/^[\w-]{16}$/);
      await redisCli({ port }, '-c', 'DEL', `cache:${ns}:token`);
      // The server invalidates the token this process holds; then the next read makes a new one.
      await eventually(async () => (await cache.lookup('k', { namespace: ns })).hit === false, 5000, 'the lost token to be noticed');
      const newToken = await redisCli({ port }, '-c', 'GET', `cache:${ns}:token`);
      expect(newToken).toMatch(/^[\w-]{16}$/);
      expect(newToken).not.toBe(oldToken);
    }));

    it('wrap() never throws synchronously: invalid arguments reject with typed errors', inRaces(async () => {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = cache.wrap('k', async () => 1, { ttl: -1 }))).not.toThrow();
      await expect(promise).rejects.toThrow(ConfigError);
      expect(() => (promise = cache.wrap('k', async () => 1, { ttl: Number.NaN }))).not.toThrow();
      await expect(promise).rejects.toMatchObject({ option: 'ttl' });
      expect(() => (promise = cache.wrap(undefined as unknown as string, async () => 1))).not.toThrow();
      await expect(promise).rejects.toThrow(ArgumentError);
      expect(() => (promise = cache.wrap('k', 'nope' as unknown as () => number))).not.toThrow();
      await expect(promise).rejects.toMatchObject({ position: 1 });
      expect(() => (promise = cache.wrap('k', () => {
        throw new Error('sync loader failure');
      }))).not.toThrow();
      await expect(promise).rejects.toThrow('sync loader failure');
      await expect(cache.lookup(42 as unknown as string)).rejects.toThrow(ArgumentError);
    }));

    it('round-trips Date, Map, Set, BigInt, Buffer, undefined and null through Redis', inRaces(async () => {
      const ns = uniqueNamespace('values');
      const value = { at: new Date(1_700_000_000_000), tags: new Set(['a']), index: new Map([['k', [1n, null, undefined]]]), raw: Buffer.from([0, 255, 7]) };
      let loads = 0;
      const load = async () => (loads++, value);
      expect(await cache.wrap('v', load, { namespace: ns })).toBe(value);
      const hit = await cache.wrap('v', load, { namespace: ns });
      expect(loads).toBe(1);
      expect(hit).toEqual(value);
      expect(hit.at).toBeInstanceOf(Date);
      expect(Buffer.isBuffer(hit.raw)).toBe(true);
      expect(hit.index.get('k')).toEqual([1n, null, undefined]);
    }));

  });

  describe('loadTimeout', () => {
    it('a hung loader does not stall later callers once it is older than loadTimeout', tracked(async (tracker) => {
      const short = await startApp([], { cache: { loadTimeout: 300 } });
      const quick = short.app.get(RedisCacheService);
      const ns = uniqueNamespace('hung');
      const hung = deferred<string>();
      let hungCalls = 0;
      const first = quick.wrap('k', () => (hungCalls++, hung.promise), { namespace: ns });
      await untilHeld(() => hungCalls === 1);
      await sleep(350); // let the running load age past loadTimeout (300 ms)
      expect(await quick.wrap('k', async () => 'fresh', { namespace: ns })).toBe('fresh');
      hung.resolve('late');
      expect(await first).toBe('late');
      expect(await quick.get('k', { namespace: ns })).toBe('fresh'); // the late result was not stored
      await closeAndExpectNoLeaks(short.app, tracker);
    }));
  });

  describe('@CacheEvict and @CachePut against loads in flight', () => {
    const NS = uniqueNamespace('deco');
    const gate: { load?: ReturnType<typeof deferred<string>>; put?: ReturnType<typeof deferred<string>> } = {};

    @Injectable()
    class Catalog {
      loads = 0;
      puts = 0;
      value = 'v1';

      @Cacheable({ key: 'item:{0}', namespace: NS })
      async find(id: string): Promise<string> {
        this.loads++;
        const seen = this.value;
        if (gate.load) await gate.load.promise;
        return `${id}:${seen}`;
      }

      @CacheEvict({ key: 'item:{0}', namespace: NS })
      async update(id: string, value: string): Promise<string> {
        this.value = value;
        return id;
      }

      @CachePut({ key: 'item:{0}', namespace: NS })
      async rewrite(id: string): Promise<string> {
        this.puts++;
        const value = `${id}:${this.value}`;
        if (gate.put) await gate.put.promise;
        return value;
      }
    }

    let app: INestApplication;
    let catalog: Catalog;
    let tracker: HandleTracker;
    const inCatalog = inScopeOf(() => tracker);

    beforeAll(async () => {
      tracker = new HandleTracker();
      ({ app } = await tracker.run(() => startApp([Catalog])));
      catalog = app.get(Catalog);
    });

    afterAll(async () => {
      await closeAndExpectNoLeaks(app, tracker);
    });

    it('a @Cacheable load running when @CacheEvict completes does not store the old value', inCatalog(async () => {
      gate.load = deferred<string>();
      const reading = catalog.find('a'); // reads v1, then waits
      await untilHeld(() => catalog.loads === 1);
      await catalog.update('a', 'v2'); // the database changes, the entry is evicted
      gate.load.resolve('go');
      gate.load = undefined;
      expect(await reading).toBe('a:v1');
      expect(await catalog.find('a')).toBe('a:v2'); // not the stale a:v1
      expect(catalog.loads).toBe(2);
      expect(await catalog.find('a')).toBe('a:v2');
      expect(catalog.loads).toBe(2);
    }));

    it('a @CachePut that lost a race with an evict leaves no entry rather than a stale one', inCatalog(async () => {
      await catalog.find('b');
      gate.put = deferred<string>();
      await catalog.update('b', 'v2');
      const putting = catalog.rewrite('b'); // computes b:v2, then waits
      await untilHeld(() => catalog.puts === 1);
      await catalog.update('b', 'v3');
      gate.put.resolve('go');
      gate.put = undefined;
      expect(await putting).toBe('b:v2');
      const loads = catalog.loads;
      expect(await catalog.find('b')).toBe('b:v3');
      expect(catalog.loads).toBe(loads + 1);
    }));
  });

  describe('evicts that cannot reach Redis', () => {
    @Injectable()
    class Broken {
      calls = 0;

      @CacheEvict({ key: 'x:{0}', cluster: 'down' })
      async drop(id: string): Promise<string> {
        this.calls++;
        return id;
      }
    }

    it('are retried within evictTimeout, then reject with CacheEvictError (never naming the key)', tracked(async (tracker) => {
      const [closed] = await closedPorts(1);
      const moduleRef = await Test.createTestingModule({
        imports: [
          RedisClusterModule.forRoot({ name: 'down', lazyConnect: true, rootNodes: [{ url: `redis://127.0.0.1:${closed}` }], cache: { timeout: 100, evictTimeout: 400 }, logging: false }),
        ],
        providers: [Broken],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      const broken = app.get(Broken);
      const error = await broken.drop('secret-id').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CacheEvictError);
      expect(error).toMatchObject({ code: 'ERR_REDIS_CACHE_EVICT', failed: 1 });
      expect((error as Error).message).toMatch(/after [2-9]\d* attempt\(s\)/);
      expect((error as Error).message).not.toContain('secret-id');
      expect(broken.calls).toBe(1); // the method ran; the caller learns the cache may be stale
      const cache = app.get<RedisCacheService>('RedisCacheService:down');
      await expect(cache.evictNamespace('any')).rejects.toMatchObject({ failed: 'namespace' });
      await closeAndExpectNoLeaks(app, tracker);
    }));

    it("resolve false with onEvictError: 'log'", tracked(async (tracker) => {
      const [closed] = await closedPorts(1);
      const moduleRef = await Test.createTestingModule({
        imports: [
          RedisClusterModule.forRoot({ name: 'down', lazyConnect: true, rootNodes: [{ url: `redis://127.0.0.1:${closed}` }], cache: { timeout: 100, evictTimeout: 200, onEvictError: 'log' }, logging: false }),
        ],
        providers: [Broken],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      expect(await app.get(Broken).drop('1')).toBe('1');
      expect(await app.get<RedisCacheService>('RedisCacheService:down').evict('k')).toBe(false);
      await closeAndExpectNoLeaks(app, tracker);
    }));
  });

  describe('bootstrap refusals', () => {
    it('refuses a synchronous method under @Cacheable, naming class and method', async () => {
      @Injectable()
      class Prices {
        @Cacheable({ key: 'p:{0}' })
        price(sku: string): number {
          return sku.length;
        }
      }
      const moduleRef = await Test.createTestingModule({
        imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), logging: false, lazyConnect: true })],
        providers: [Prices],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await expect(app.init()).rejects.toMatchObject({ code: 'ERR_REDIS_CACHE_SYNC_METHOD', className: 'Prices', methodName: 'price' });
      await expect(app.init()).rejects.toThrow(SyncCachedMethodError);
      await app.close();
    });

    it('refuses two classes of the same name whose default keys would collide', async () => {
      const make = (tag: string) => {
        @Injectable()
        class Repo {
          @Cacheable()
          async find(id: string): Promise<string> {
            return `${tag}:${id}`;
          }
        }
        return Repo;
      };
      const moduleRef = await Test.createTestingModule({
        imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), logging: false, lazyConnect: true })],
        providers: [{ provide: 'a', useClass: make('a') }, { provide: 'b', useClass: make('b') }],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await expect(app.init()).rejects.toThrow(CacheKeyConflictError);
      await app.close();
    });
  });

  describe('round trips per hit', () => {
    @Injectable()
    class Hot {
      loads = 0;

      @Cacheable({ key: 'hot:{0}' })
      async get(id: string): Promise<string> {
        this.loads++;
        return id;
      }
    }

    it('without the client-side cache: one GET per hit, no read of the namespace token', tracked(async (tracker) => {
      const { app } = await startApp([Hot], { cache: { namespace: uniqueNamespace('rtt') } });
      const hot = app.get(Hot);
      const cache = app.get(RedisCacheService);
      await hot.get('1');
      await eventually(() => cache.tracksNamespaces, 5000, 'the token tracking client');
      await hot.get('1'); // the token now comes from the tracking client's memory
      const before = await commandCalls();
      for (let i = 0; i < 100; i++) expect(await hot.get('1')).toBe('1');
      const after = await commandCalls();
      expect(delta(before, after, DATA_COMMANDS)).toEqual({ get: 100, getrange: 0, set: 0, evalsha: 0, eval: 0, del: 0 });
      expect(hot.loads).toBe(1);
      await closeAndExpectNoLeaks(app, tracker);
    }));

    it('with the client-side cache: a hit sends no command at all', tracked(async (tracker) => {
      const { app } = await startApp([Hot], { cache: { namespace: uniqueNamespace('rtt0') }, clientSideCache: { maxEntries: 1000 } });
      const hot = app.get(Hot);
      await hot.get('1');
      await hot.get('1');
      const before = await commandCalls();
      for (let i = 0; i < 100; i++) expect(await hot.get('1')).toBe('1');
      const after = await commandCalls();
      expect(delta(before, after, DATA_COMMANDS)).toEqual({ get: 0, getrange: 0, set: 0, evalsha: 0, eval: 0, del: 0 });
      expect(hot.loads).toBe(1);
      await closeAndExpectNoLeaks(app, tracker);
    }));
  });

  describe('near cache across two application instances (two pods)', () => {
    const NS = uniqueNamespace('pods');

    @Injectable()
    class Profiles {
      loads = 0;
      static db = new Map<string, string>([['u1', 'Ada']]);

      @Cacheable({ key: 'profile:{0}', namespace: NS })
      async find(id: string): Promise<string | undefined> {
        this.loads++;
        return Profiles.db.get(id);
      }

      @CacheEvict({ key: 'profile:{0}', namespace: NS })
      async rename(id: string, name: string): Promise<void> {
        Profiles.db.set(id, name);
      }

      @CacheEvict({ namespace: NS, allEntries: true })
      async reset(): Promise<void> {}
    }

    it('serves hits from memory in each pod and drops them when the other pod evicts', tracked(async (tracker) => {
      const a = await startApp([Profiles], { clientSideCache: { maxEntries: 1000 } });
      const b = await startApp([Profiles], { clientSideCache: { maxEntries: 1000 } });
      const podA = a.app.get(Profiles);
      const podB = b.app.get(Profiles);
      expect(await podA.find('u1')).toBe('Ada');
      expect(await podB.find('u1')).toBe('Ada'); // B reads what A stored
      expect(podB.loads).toBe(0);
      const csc = b.app.get(RedisCluster).clientSideCache!;
      const hitsBefore = csc.stats().hitCount;
      expect(await podB.find('u1')).toBe('Ada');
      expect(csc.stats().hitCount).toBeGreaterThan(hitsBefore); // served from B's memory

      await podA.rename('u1', 'Grace'); // A evicts: the server tells B
      await eventually(async () => (await podB.find('u1')) === 'Grace', 5000, 'pod B to see the evict of pod A');
      expect(podB.loads + podA.loads).toBe(2);

      await podA.find('u1');
      Profiles.db.set('u1', 'Linus');
      await podB.reset(); // B evicts the whole namespace: A's token is invalidated
      await eventually(async () => (await podA.find('u1')) === 'Linus', 5000, 'pod A to see the namespace evict of pod B');

      await a.app.close();
      await closeAndExpectNoLeaks(b.app, tracker); // a's handles are in the same tracker: both apps are checked
    }));
  });

  describe('useReplicas', () => {
    it('cache reads go to masters, so a read right after an evict never sees the evicted value', tracked(async (tracker) => {
      const { app } = await startApp([], { useReplicas: true });
      const cache = app.get(RedisCacheService);
      const ns = uniqueNamespace('replicas');
      const replicas = (await mastersAndReplicas(testServers().clusters.main)).replicas;
      expect(replicas.length).toBeGreaterThan(0);
      const before = await commandCalls(replicas);
      for (let i = 0; i < 50; i++) {
        await cache.set(`k${i}`, i, { namespace: ns });
        expect(await cache.get(`k${i}`, { namespace: ns })).toBe(i);
        await cache.evict(`k${i}`, { namespace: ns });
        expect(await cache.lookup(`k${i}`, { namespace: ns })).toEqual({ hit: false });
      }
      expect(delta(before, await commandCalls(replicas), ['get'])).toEqual({ get: 0 }); // no cache read went to a replica
      await closeAndExpectNoLeaks(app, tracker);
    }));
  });
});

