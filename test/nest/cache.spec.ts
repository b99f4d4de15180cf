import 'reflect-metadata';
import { Controller, Get, Injectable, Param, Scope, SetMetadata, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Observable, lastValueFrom, of, toArray } from 'rxjs';
import {
  Cacheable,
  CacheEvict,
  CachePut,
  InjectRedisCache,
  RedisCacheService,
  RedisCluster,
  RedisClusterModule,
} from 'nest-redis-cluster';
import { describeWithServers, redisCli, testServers } from '../support/servers.js';
import { HandleTracker, closeAndExpectNoLeaks, closedPorts, inScopeOf, mainRootNodes, sleep, tracked, uniqueNamespace } from './support/nest-test.helpers.js';

const NS = uniqueNamespace('cache');
const FALSY: Record<string, unknown> = { zero: 0, empty: '', no: false, nothing: null };

interface Product {
  id: string;
  name: string;
}

@Injectable()
class ProductService {
  readonly calls: Record<string, number> = {};
  readonly db = new Map<string, Product>([
    ['1', { id: '1', name: 'one' }],
    ['2', { id: '2', name: 'two' }],
  ]);

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  @Cacheable({ key: 'product:{id}', namespace: NS, ttl: 60_000 })
  @SetMetadata('custom:kept', 'yes')
  async findOne(id: string): Promise<Product | null> {
    this.count(`findOne:${id}`);
    await sleep(30);
    return this.db.get(id) ?? null;
  }

  @CachePut({ key: 'product:{0.id}', namespace: NS })
  async save(product: Product): Promise<Product> {
    this.count('save');
    this.db.set(product.id, product);
    return product;
  }

  @CacheEvict({ key: 'product:{id}', namespace: NS })
  async remove(id: string): Promise<void> {
    this.count('remove');
    this.db.delete(id);
  }

  @CacheEvict({ namespace: NS, allEntries: true })
  async reload(): Promise<void> {
    this.count('reload');
  }

  @Cacheable({ key: 'falsy:{0}', namespace: NS })
  async falsy(name: string): Promise<unknown> {
    this.count(`falsy:${name}`);
    return FALSY[name];
  }

  @Cacheable({ key: 'stream:{0}', namespace: NS })
  stream(id: string): Observable<string> {
    this.count(`stream:${id}`);
    return of(`${id}-a`, `${id}-b`);
  }

  @Cacheable({ key: 'cond:{0}', namespace: NS, condition: (id: string) => id !== 'skip', unless: (result: string | undefined) => result === undefined })
  async conditional(id: string): Promise<string | undefined> {
    this.count(`cond:${id}`);
    return id === 'none' ? undefined : id;
  }

  /** Targets a cluster no module registers: runs uncached (and is warned about at bootstrap). */
  @Cacheable({ key: 'ghost', cluster: 'ghost' })
  async ghost(): Promise<number> {
    this.count('ghost');
    return 1;
  }

  @Cacheable({ key: 'failing:{0}', namespace: NS })
  async failing(id: string): Promise<string> {
    this.count(`failing:${id}`);
    await sleep(10);
    throw new Error(`no ${id}`);
  }
}

@Controller('products')
class ProductController {
  calls = 0;

  @Get(':id')
  @Cacheable({ key: 'http:{id}', namespace: NS })
  async get(@Param('id') id: string): Promise<{ id: string; served: number }> {
    this.calls++;
    return { id, served: this.calls };
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestService {
  static calls = 0;

  @Cacheable({ key: 'req', namespace: NS })
  async value(): Promise<number> {
    return ++PerRequestService.calls;
  }
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientService {
  calls = 0;

  @Cacheable({ key: 'transient:{0}', namespace: NS })
  async value(id: string): Promise<string> {
    this.calls++;
    return id;
  }
}

@Injectable()
class TransientConsumer {
  constructor(readonly transient: TransientService) {}
}

@Injectable()
class BrokenCacheService {
  calls = 0;

  @Cacheable({ key: 'x:{0}', cluster: 'broken' })
  async value(id: string): Promise<string> {
    this.calls++;
    return `fresh-${id}`;
  }

  @CacheEvict({ key: 'x:{0}', cluster: 'broken' })
  async drop(id: string): Promise<string> {
    return id;
  }
}

describeWithServers('cache decorators and RedisCacheService on the real cluster', () => {
  let app: INestApplication;
  let products: ProductService;
  let cache: RedisCacheService;
  // The app lives across the tests: each test runs in the tracker's scope, so what their calls
  // make the app create counts too.
  let tracker: HandleTracker;
  const inApp = inScopeOf(() => tracker);

  beforeAll(async () => {
    tracker = new HandleTracker();
    await tracker.run(async () => {
      const [closed] = await closedPorts(1);
      const moduleRef = await Test.createTestingModule({
        imports: [
          RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), cache: { ttl: 30_000 } }),
          RedisClusterModule.forRoot({ name: 'broken', lazyConnect: true, rootNodes: [{ url: `redis://127.0.0.1:${closed}` }], cache: { timeout: 300, evictTimeout: 600, onEvictError: 'log' }, logging: false }),
        ],
        providers: [ProductService, PerRequestService, TransientService, TransientConsumer, BrokenCacheService],
        controllers: [ProductController],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
    });
    products = app.get(ProductService);
    cache = app.get(RedisCacheService);
  });

  afterAll(async () => {
    await closeAndExpectNoLeaks(app, tracker);
  });

  it('misses once, then hits without calling the method', inApp(async () => {
    const before = cache.stats();
    expect(await products.findOne('1')).toEqual({ id: '1', name: 'one' });
    expect(await products.findOne('1')).toEqual({ id: '1', name: 'one' });
    expect(products.calls['findOne:1']).toBe(1);
    const after = cache.stats();
    expect(after.hits - before.hits).toBe(1);
    expect(after.misses - before.misses).toBe(1);
    expect(after.loads - before.loads).toBe(1);
  }));

  it('stores the entry under <prefix><namespace>:<token>:<key> with the TTL of the decorator', inApp(async () => {
    const key = await cache.keyOf('product:1', { namespace: NS });
    expect(key).toMatch(new RegExp(`^cache:${NS}:[\\w-]{16}:product:1$`));
    const port = testServers().clusters.main.ports[0]!;
    const ttl = Number(await redisCli({ port }, '-c', 'PTTL', key!));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  }));

  it('keeps the decorated method metadata on the installed wrapper', () => {
    expect(Reflect.getMetadata('custom:kept', products.findOne)).toBe('yes');
    expect(Object.prototype.hasOwnProperty.call(products, 'findOne')).toBe(true);
  });

  it('@CachePut stores the result so that @Cacheable hits', inApp(async () => {
    await products.save({ id: '3', name: 'three' });
    expect(await products.findOne('3')).toEqual({ id: '3', name: 'three' });
    expect(products.calls['findOne:3']).toBeUndefined();
  }));

  it('@CacheEvict removes one key after the method succeeds', inApp(async () => {
    await products.findOne('2');
    await products.findOne('2');
    expect(products.calls['findOne:2']).toBe(1);
    await products.remove('2');
    expect(await products.findOne('2')).toBeNull();
    expect(products.calls['findOne:2']).toBe(2);
    expect(await products.findOne('2')).toBeNull(); // a stored null is a hit
    expect(products.calls['findOne:2']).toBe(2);
  }));

  it('@CacheEvict({ allEntries }) evicts the whole namespace with a new random token, without SCAN or DEL', inApp(async () => {
    await products.findOne('1');
    const oldKey = (await cache.keyOf('product:1', { namespace: NS }))!;
    const calls = products.calls['findOne:1']!;
    const port = testServers().clusters.main.ports[0]!;
    const tokenBefore = await redisCli({ port }, '-c', 'GET', `cache:${NS}:token`);
    await products.reload();
    const tokenAfter = await redisCli({ port }, '-c', 'GET', `cache:${NS}:token`);
    expect(tokenAfter).toMatch(/^[\w-]{16}$/);
    expect(tokenAfter).not.toBe(tokenBefore);
    expect(await redisCli({ port }, '-c', 'EXISTS', oldKey)).toBe('1'); // still there, unreachable, expires by TTL
    await products.findOne('1');
    expect(products.calls['findOne:1']).toBe(calls + 1);
    expect(await cache.keyOf('product:1', { namespace: NS })).not.toBe(oldKey);
  }));

  it('shares one call between concurrent misses of one key (single-flight)', inApp(async () => {
    const before = cache.stats();
    const results = await Promise.all(Array.from({ length: 20 }, () => products.findOne('1-sf')));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(products.calls['findOne:1-sf']).toBe(1);
    expect(cache.stats().sharedLoads - before.sharedLoads).toBe(19);
  }));

  it('does not cache a failure; concurrent callers share the rejection', inApp(async () => {
    const outcomes = await Promise.allSettled([products.failing('a'), products.failing('a')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(products.calls['failing:a']).toBe(1);
    await expect(products.failing('a')).rejects.toThrow('no a');
    expect(products.calls['failing:a']).toBe(2);
  }));

  it.each(Object.keys(FALSY))('serves a stored falsy value (%s) as a hit', async (name) => {
    expect(await products.falsy(name)).toBe(FALSY[name]);
    expect(await products.falsy(name)).toBe(FALSY[name]);
    expect(products.calls[`falsy:${name}`]).toBe(1);
  });

  it('serves undefined as a hit too', inApp(async () => {
    expect(await products.falsy('missing')).toBeUndefined();
    expect(await products.falsy('missing')).toBeUndefined();
    expect(products.calls['falsy:missing']).toBe(1);
  }));

  it('caches methods returning an Observable and replays every emitted value', inApp(async () => {
    const first = products.stream('s1');
    expect(typeof first.subscribe).toBe('function');
    expect(await lastValueFrom(first.pipe(toArray()))).toEqual(['s1-a', 's1-b']);
    expect(await lastValueFrom(products.stream('s1').pipe(toArray()))).toEqual(['s1-a', 's1-b']);
    expect(products.calls['stream:s1']).toBe(1);
  }));

  it('runs methods targeting an unregistered cluster uncached', inApp(async () => {
    await products.ghost();
    await products.ghost();
    expect(products.calls['ghost']).toBe(2);
  }));

  it('honours condition (bypass) and unless (do not store)', inApp(async () => {
    await products.conditional('skip');
    await products.conditional('skip');
    expect(products.calls['cond:skip']).toBe(2);
    await products.conditional('none');
    await products.conditional('none');
    expect(products.calls['cond:none']).toBe(2);
    await products.conditional('keep');
    await products.conditional('keep');
    expect(products.calls['cond:keep']).toBe(1);
  }));

  it('caches controller handlers called over HTTP', inApp(async () => {
    const controller = app.get(ProductController);
    const first = await request(app.getHttpServer()).get('/products/7').expect(200);
    const second = await request(app.getHttpServer()).get('/products/7').expect(200);
    expect(second.body).toEqual(first.body);
    expect(controller.calls).toBe(1);
  }));

  it('skips request-scoped providers (their methods run uncached) and caches transient ones', inApp(async () => {
    const a = await app.resolve(PerRequestService);
    expect(await a.value()).toBe(1);
    expect(await a.value()).toBe(2);
    const transient = app.get(TransientConsumer).transient;
    await transient.value('t');
    await transient.value('t');
    expect(transient.calls).toBe(1);
  }));

  it('fails open: with the cache cluster unreachable the method still answers and errors are counted', inApp(async () => {
    const broken = app.get(BrokenCacheService);
    const brokenCache = app.get<RedisCacheService>('RedisCacheService:broken');
    expect(await broken.value('1')).toBe('fresh-1');
    expect(await broken.value('1')).toBe('fresh-1');
    expect(await broken.drop('1')).toBe('1');
    expect(broken.calls).toBe(2);
    expect(brokenCache.stats().errors).toBeGreaterThan(0);
  }));

  describe('RedisCacheService (imperative twin)', () => {
    it('get / lookup / set / evict with falsy values', inApp(async () => {
      const ns = uniqueNamespace('svc');
      expect(await cache.lookup('k', { namespace: ns })).toEqual({ hit: false });
      expect(await cache.set('k', 0, { namespace: ns, ttl: 10_000 })).toBe(true);
      expect(await cache.lookup('k', { namespace: ns })).toEqual({ hit: true, value: 0 });
      expect(await cache.get('k', { namespace: ns })).toBe(0);
      expect(await cache.evict('k', { namespace: ns })).toBe(true);
      expect(await cache.lookup('k', { namespace: ns })).toEqual({ hit: false });
    }));

    it('wrap shares concurrent loads and evictNamespace makes entries unreachable', inApp(async () => {
      const ns = uniqueNamespace('svc');
      let loads = 0;
      const loader = async () => {
        loads++;
        await sleep(20);
        return { n: loads };
      };
      const values = await Promise.all([1, 2, 3].map(() => cache.wrap('w', loader, { namespace: ns })));
      expect(values).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
      expect(await cache.wrap('w', loader, { namespace: ns })).toEqual({ n: 1 });
      expect(await cache.evictNamespace(ns)).toBe(true);
      expect(await cache.wrap('w', loader, { namespace: ns })).toEqual({ n: 2 });
      expect(loads).toBe(2);
    }));

    it('is injectable with @InjectRedisCache() and reports the cluster it belongs to', inApp(async () => {
      @Injectable()
      class Holder {
        constructor(@InjectRedisCache() readonly main: RedisCacheService, @InjectRedisCache('broken') readonly broken: RedisCacheService) {}
      }
      const moduleRef = await Test.createTestingModule({ providers: [Holder, { provide: RedisCacheService, useValue: cache }, { provide: 'RedisCacheService:broken', useValue: app.get('RedisCacheService:broken') }] }).compile();
      const holder = moduleRef.get(Holder);
      expect(holder.main.clusterName).toBe('default');
      expect(holder.broken.clusterName).toBe('broken');
      await moduleRef.close();
    }));
  });
});

describeWithServers('cache fail-open when the client is closed under the app', () => {
  it('answers from the method after the cluster client was destroyed', tracked(async (tracker) => {
    @Injectable()
    class Svc {
      calls = 0;

      @Cacheable({ key: 'k', namespace: NS })
      async value(): Promise<string> {
        this.calls++;
        return 'v';
      }
    }
    const moduleRef = await Test.createTestingModule({ imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), logging: false })], providers: [Svc] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const svc = app.get(Svc);
    await app.get(RedisCluster).destroy();
    expect(await svc.value()).toBe('v');
    expect(await svc.value()).toBe('v');
    expect(svc.calls).toBe(2);
    expect(app.get(RedisCacheService).stats().errors).toBeGreaterThanOrEqual(2);
    await closeAndExpectNoLeaks(app, tracker);
  }));
});

describeWithServers('cache warnings and fail-open logs', () => {
  it('warns about request-scoped providers and unregistered clusters at bootstrap, and logs failed cache operations', tracked(async (tracker) => {
    const warnings: string[] = [];
    const logger = { log: () => undefined, error: () => undefined, debug: () => undefined, warn: (message: unknown) => warnings.push(String(message)) };
    @Injectable()
    class Ghostly {
      @Cacheable({ cluster: 'nowhere' })
      async value(): Promise<number> {
        return 1;
      }
    }
    const [closed] = await closedPorts(1);
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisClusterModule.forRoot({ rootNodes: mainRootNodes() }),
        RedisClusterModule.forRoot({ name: 'broken', lazyConnect: true, rootNodes: [{ url: `redis://127.0.0.1:${closed}` }], cache: { timeout: 200 } }),
      ],
      providers: [PerRequestService, Ghostly, BrokenCacheService],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/PerRequestService\.value has cache decorators but PerRequestService is request-scoped/),
        expect.stringMatching(/Ghostly\.value has cache decorators for the Redis cluster "nowhere", which no RedisClusterModule registers/),
      ]),
    );
    const broken = app.get(BrokenCacheService);
    for (let i = 0; i < 5; i++) expect(await broken.value(String(i))).toBe(`fresh-${i}`);
    const cacheLines = warnings.filter((w) => w.includes('Cache read failed'));
    expect(cacheLines.length).toBe(1); // five failed reads, one line (the rest go into a summary)
    await closeAndExpectNoLeaks(app, tracker);
    expect(warnings.some((w) => /more cache error\(s\)/.test(w))).toBe(true); // the summary is flushed at shutdown
  }));
});
