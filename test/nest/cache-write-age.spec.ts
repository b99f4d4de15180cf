/**
 * The write-age guard of loads (`wrap`, `@Cacheable`) and of `@CachePut`: a conditional write can
 * tell "an evict happened meanwhile" only while that evict's tombstone lives. A call that outlived
 * the tombstone (longer than `cache.loadTimeout`) must not store its result when the key was
 * absent at its start, or the value from before the evict comes back. The evicts come from a
 * second application instance (another pod): an evict in the same process also detaches the
 * running load, which would skip the write without the guard.
 */
import 'reflect-metadata';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheEvict, CachePut, Cacheable, RedisCacheService, RedisCluster, RedisClusterModule, type RedisClusterModuleOptions } from 'nest-redis-cluster';
import { describeWithServers } from '../support/servers.js';
import { closeAndExpectNoLeaks, deferred, mainRootNodes, tracked, uniqueNamespace, untilHeld, type HandleTracker } from './support/nest-test.helpers.js';

const LOAD_TIMEOUT = 300;
const NS = uniqueNamespace('age');

/**
 * Waits until `key` no longer exists on its master, asking the server: while PTTL reports more
 * than a few ms left, waits about that long (the server's figure, not a guess), then asks again.
 */
async function untilExpired(cluster: RedisCluster, key: string): Promise<void> {
  const end = performance.now() + 30_000;
  for (;;) {
    const pttl = await cluster.sendCommand<number>(['PTTL', key], { master: true });
    if (pttl === -2) return;
    expect(pttl).toBeGreaterThanOrEqual(0); // a tombstone always has a TTL (0: under 1 ms left)
    if (performance.now() > end) throw new Error('the tombstone did not expire within 30 s');
    await new Promise((r) => (pttl > 20 ? setTimeout(r, pttl - 10) : setImmediate(r)));
  }
}

/** The database both instances read: the methods compute their result from it. */
const db = new Map<string, string>();
const gate: { load?: ReturnType<typeof deferred<void>>; put?: ReturnType<typeof deferred<void>> } = {};

@Injectable()
class Catalog {
  loads = 0;
  puts = 0;

  @Cacheable({ key: 'item:{0}', namespace: NS })
  async find(id: string): Promise<string> {
    this.loads++;
    const value = `${id}:${db.get(id)}`;
    if (gate.load) await gate.load.promise;
    return value;
  }

  @CacheEvict({ key: 'item:{0}', namespace: NS })
  async update(id: string, value: string): Promise<string> {
    db.set(id, value);
    return id;
  }

  @CachePut({ key: 'item:{0}', namespace: NS })
  async rewrite(id: string): Promise<string> {
    this.puts++;
    const value = `${id}:${db.get(id)}`;
    if (gate.put) await gate.put.promise;
    return value;
  }
}

async function startPod(): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), logging: false, cache: { loadTimeout: LOAD_TIMEOUT } } as RedisClusterModuleOptions)],
    providers: [Catalog],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/**
 * Runs `body` with two pods, then closes both and checks that nothing is left behind. On a failed
 * assertion the gates are opened and both pods closed anyway (so jest can exit).
 */
async function withPods(tracker: HandleTracker, body: (a: INestApplication, b: INestApplication) => Promise<void>): Promise<void> {
  const a = await startPod();
  const b = await startPod();
  try {
    await body(a, b);
  } catch (error) {
    gate.load?.resolve();
    gate.put?.resolve();
    await Promise.allSettled([a.close(), b.close()]);
    throw error;
  } finally {
    gate.load = gate.put = undefined;
  }
  await b.close();
  await closeAndExpectNoLeaks(a, tracker); // b's handles are in the same tracker: both apps are checked
}

describeWithServers('cache write-age guard (a call that outlived an evict\'s tombstone stores nothing)', () => {
  it('a @Cacheable load that outlived the tombstone of another pod\'s evict does not store the old value', tracked((tracker) => withPods(tracker, async (a, b) => {
    const catalog = a.get(Catalog);
    const cache = a.get(RedisCacheService);
    db.set('x', 'v1');
    gate.load = deferred<void>();
    const reading = catalog.find('x'); // the key is absent: reads v1, then waits
    await untilHeld(() => catalog.loads === 1);
    await b.get(Catalog).update('x', 'v2'); // the other pod: the database changes, the entry is evicted
    const key = (await cache.keyOf('item:x', { namespace: NS }))!;
    await untilExpired(a.get(RedisCluster), key); // the tombstone is gone: the key is absent again, as it was
    const skipped = cache.stats().skippedWrites;
    gate.load.resolve();
    expect(await reading).toBe('x:v1'); // its caller gets what it loaded…
    expect(cache.stats().skippedWrites).toBe(skipped + 1);
    expect(await catalog.find('x')).toBe('x:v2'); // …but it was not stored
    expect(catalog.loads).toBe(2);
  })), 30_000);

  it('a @CachePut that outlived the tombstone of another pod\'s evict leaves no entry rather than the old value', tracked((tracker) => withPods(tracker, async (a, b) => {
    const catalog = a.get(Catalog);
    const cache = a.get(RedisCacheService);
    db.set('y', 'v1');
    gate.put = deferred<void>();
    const putting = catalog.rewrite('y'); // the key is absent: computes y:v1, then waits
    await untilHeld(() => catalog.puts === 1);
    await b.get(Catalog).update('y', 'v2');
    const key = (await cache.keyOf('item:y', { namespace: NS }))!;
    await untilExpired(a.get(RedisCluster), key);
    gate.put.resolve();
    expect(await putting).toBe('y:v1');
    expect(await catalog.find('y')).toBe('y:v2'); // loaded afresh, not the stale y:v1
    expect(catalog.loads).toBe(1);
  })), 30_000);
});
