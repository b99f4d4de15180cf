// The client-side cache against scripted fake nodes (no redis-server): the exact orderings a real
// server cannot be made to produce on demand (an invalidation between a read and its reply, ASK,
// a refused CLIENT TRACKING).
import { BasicClientSideCache, TrackingRefusedError, type RedisCluster } from '../../../lib/index.js';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import type { FakeRedisServer } from '../../fake/fake-redis-server.js';
import * as F from '../../fake/resp-frames.js';
import { useFakeCluster } from '../../fake/support/fake-cluster.js';

/** Node `a` serves slots 0–8191, node `b` 8192–16383. */
const fakes = useFakeCluster(2);

async function connect(cache: BasicClientSideCache, errors: Error[] = []): Promise<RedisCluster> {
  const client = fakes.createClient({ defaults: { commandTimeout: 2000 }, clientSideCache: cache });
  client.on('error', (e) => errors.push(e));
  await client.connect();
  return client;
}

const keyOnA = Array.from({ length: 50 }, (_, i) => `csc:${i}`).find((k) => keySlot(k) < 8192)!;
const gets = (server: FakeRedisServer): number => server.commandNames().filter((n) => n === 'GET').length;

describe('client-side cache on scripted nodes', () => {
  it('sends CLIENT TRACKING ON in the handshake, before any user command, and serves the second GET locally', async () => {
    fakes.a.on('GET', () => F.bulk('v1'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    expect(await cluster.get(keyOnA)).toBe('v1');
    expect(await cluster.get(keyOnA)).toBe('v1');
    expect(gets(fakes.a)).toBe(1);
    const names = fakes.a.commandNames(fakes.a.commands.find((c) => c.argv[0] === 'GET')!.connId);
    expect(names.indexOf('CLIENT TRACKING')).toBeGreaterThan(-1);
    expect(names.indexOf('CLIENT TRACKING')).toBeLessThan(names.indexOf('GET'));
    expect(fakes.a.commands.find((c) => c.argv[1]?.toUpperCase() === 'TRACKING')!.argv).toEqual(['CLIENT', 'TRACKING', 'ON']);
    expect(cache.stats().hitCount).toBe(1);
  });

  it('does not store a reply that an invalidation push raced (push before the reply)', async () => {
    fakes.a.on('GET', (argv, ctx) => {
      ctx.write(F.push([F.bulk('invalidate'), F.array([F.bulk(argv[1]!)])]));
      return F.bulk('raced');
    });
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    expect(await cluster.get(keyOnA)).toBe('raced');
    expect(await cluster.get(keyOnA)).toBe('raced');
    expect(gets(fakes.a)).toBe(2);
    expect(cache.size).toBe(0);
    expect(cache.stats().loadSuccessCount).toBe(2);
  });

  it('drops an entry when its invalidation push arrives, and a null push drops only that node’s entries', async () => {
    fakes.a.on('GET', () => F.bulk('a'));
    fakes.b.on('GET', () => F.bulk('b'));
    const keyOnB = Array.from({ length: 50 }, (_, i) => `csc:b:${i}`).find((k) => keySlot(k) >= 8192)!;
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    await cluster.get(keyOnA);
    await cluster.get(keyOnB);
    const invalidated = new Promise((resolve) => cache.once('invalidate', resolve));
    fakes.a.pushAll(F.push([F.bulk('invalidate'), F.array([F.bulk(keyOnA)])]));
    await invalidated;
    expect(cache.size).toBe(1);
    await cluster.get(keyOnA);
    const flushed = new Promise((resolve) => cache.once('invalidate', resolve));
    fakes.a.pushAll(F.push([F.bulk('invalidate'), F.nul()]));
    await flushed;
    expect(cache.nodeSize(fakes.a.address)).toBe(0);
    expect(cache.nodeSize(fakes.b.address)).toBe(1);
  });

  it('single flight: a miss issued while the same read is in flight shares it; one issued after an invalidation arrived sends its own', async () => {
    // The first read's reply is held back long enough for the steps below (a script, not a measurement).
    fakes.a.once('GET', () => ({ delayMs: 1500, bytes: F.bulk('old') }));
    fakes.a.on('GET', () => F.bulk('new'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    const leader = cluster.sendCommand(['GET', keyOnA], { timeout: 10_000 });
    await fakes.a.waitForCommand('GET');
    const sharer = cluster.sendCommand(['GET', keyOnA], { timeout: 10_000 });
    const invalidated = new Promise((resolve) => cache.once('invalidate', resolve));
    fakes.a.pushAll(F.push([F.bulk('invalidate'), F.array([F.bulk(keyOnA)])]));
    await invalidated;
    const after = cluster.sendCommand(['GET', keyOnA], { timeout: 10_000 });
    expect(await Promise.all([leader, sharer, after])).toEqual(['old', 'old', 'new']);
    expect(gets(fakes.a)).toBe(2);
    // The read sent after the invalidation is the one kept.
    expect(await cluster.get(keyOnA)).toBe('new');
    expect(gets(fakes.a)).toBe(2);
  });

  it('single flight never holds a call past its own deadline: a sharer with a short timeout rejects while the read hangs', async () => {
    fakes.a.once('GET', () => ({ noReply: true }));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    const leader = cluster.sendCommand(['GET', keyOnA], { timeout: 1000 });
    await fakes.a.waitForCommand('GET');
    const sharer = cluster.sendCommand(['GET', keyOnA], { timeout: 50 });
    await expect(sharer).rejects.toMatchObject({ code: 'ERR_REDIS_COMMAND_TIMEOUT' });
    expect(gets(fakes.a)).toBe(1);
    await expect(leader).rejects.toMatchObject({ code: 'ERR_REDIS_COMMAND_TIMEOUT' });
  });

  it('never caches a reply obtained through ASK (the executor skips the cache for ASK retries)', async () => {
    const slot = keySlot(keyOnA);
    fakes.a.on('GET', () => F.error(`ASK ${slot} 127.0.0.1:${fakes.b.port}`));
    fakes.b.on('GET', () => F.bulk('importing'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    expect(await cluster.get(keyOnA)).toBe('importing');
    expect(await cluster.get(keyOnA)).toBe('importing');
    expect(gets(fakes.b)).toBe(2);
    expect(cache.size).toBe(0);
    const stats = cache.stats();
    expect([stats.hitCount, stats.missCount, stats.loadFailureCount]).toEqual([0, 2, 2]);
  });

  it('never caches blocking or write commands', async () => {
    fakes.a.on('BLPOP', (argv) => F.array([F.bulk(argv[1]!), F.bulk('x')]));
    fakes.a.on('SET', () => F.simple('OK'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    for (let i = 0; i < 2; i++) {
      await cluster.sendCommand(['BLPOP', keyOnA, '1']);
      await cluster.sendCommand(['SET', keyOnA, 'v']);
    }
    expect(fakes.a.commandNames().filter((n) => n === 'BLPOP' || n === 'SET')).toHaveLength(4);
    expect(cache.stats().requestCount()).toBe(0);
  });

  it('keeps working without caching on a node that refuses CLIENT TRACKING, and says so once', async () => {
    fakes.a.on('CLIENT', (argv) => (argv[1]?.toUpperCase() === 'TRACKING' ? F.error("NOPERM this user has no permissions to run the 'client|tracking' command") : undefined));
    fakes.a.on('GET', () => F.bulk('uncached'));
    const errors: Error[] = [];
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache, errors);
    expect(await cluster.get(keyOnA)).toBe('uncached');
    expect(await cluster.get(keyOnA)).toBe('uncached');
    expect(gets(fakes.a)).toBe(2);
    expect(errors.filter((e) => e instanceof TrackingRefusedError)).toHaveLength(1);
  });
});
