// The client-side cache against scripted fake nodes (no redis-server): the exact orderings a real
// server cannot be made to produce on demand (an invalidation between a read and its reply, ASK,
// a refused CLIENT TRACKING).
import { BasicClientSideCache, createCluster, TrackingRefusedError, type RedisCluster } from '../../../lib/index.js';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import { FakeRedisServer, type SlotRange } from '../../fake/fake-redis-server.js';
import * as F from '../../fake/resp-frames.js';

let a: FakeRedisServer;
let b: FakeRedisServer;
let client: RedisCluster | undefined;

function table(): SlotRange[] {
  return [
    { start: 0, end: 8191, master: { host: '127.0.0.1', port: a.port } },
    { start: 8192, end: 16383, master: { host: '127.0.0.1', port: b.port } },
  ];
}

async function connect(cache: BasicClientSideCache, errors: Error[] = []): Promise<RedisCluster> {
  client = createCluster({
    rootNodes: [{ url: `redis://127.0.0.1:${a.port}` }],
    defaults: { commandTimeout: 2000, socket: { reconnectStrategy: 20 } },
    topologyRefreshInterval: 0,
    clientSideCache: cache,
  });
  client.on('error', (e) => errors.push(e));
  client.on('node-error', () => undefined);
  await client.connect();
  return client;
}

const keyOnA = Array.from({ length: 50 }, (_, i) => `csc:${i}`).find((k) => keySlot(k) < 8192)!;
const gets = (server: FakeRedisServer): number => server.commandNames().filter((n) => n === 'GET').length;

beforeEach(async () => {
  a = await FakeRedisServer.start();
  b = await FakeRedisServer.start();
  a.setSlots(table());
  b.setSlots(table());
});

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await Promise.all([a.close(), b.close()]);
});

describe('client-side cache on scripted nodes', () => {
  it('sends CLIENT TRACKING ON in the handshake, before any user command, and serves the second GET locally', async () => {
    a.on('GET', () => F.bulk('v1'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    expect(await cluster.get(keyOnA)).toBe('v1');
    expect(await cluster.get(keyOnA)).toBe('v1');
    expect(gets(a)).toBe(1);
    const names = a.commandNames(a.commands.find((c) => c.argv[0] === 'GET')!.connId);
    expect(names.indexOf('CLIENT TRACKING')).toBeGreaterThan(-1);
    expect(names.indexOf('CLIENT TRACKING')).toBeLessThan(names.indexOf('GET'));
    expect(a.commands.find((c) => c.argv[1]?.toUpperCase() === 'TRACKING')!.argv).toEqual(['CLIENT', 'TRACKING', 'ON']);
    expect(cache.stats().hitCount).toBe(1);
  });

  it('does not store a reply that an invalidation push raced (push before the reply)', async () => {
    a.on('GET', (argv, ctx) => {
      ctx.write(F.push([F.bulk('invalidate'), F.array([F.bulk(argv[1]!)])]));
      return F.bulk('raced');
    });
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    expect(await cluster.get(keyOnA)).toBe('raced');
    expect(await cluster.get(keyOnA)).toBe('raced');
    expect(gets(a)).toBe(2);
    expect(cache.size).toBe(0);
    expect(cache.stats().loadSuccessCount).toBe(2);
  });

  it('drops an entry when its invalidation push arrives, and a null push drops only that node’s entries', async () => {
    a.on('GET', () => F.bulk('a'));
    b.on('GET', () => F.bulk('b'));
    const keyOnB = Array.from({ length: 50 }, (_, i) => `csc:b:${i}`).find((k) => keySlot(k) >= 8192)!;
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    await cluster.get(keyOnA);
    await cluster.get(keyOnB);
    const invalidated = new Promise((resolve) => cache.once('invalidate', resolve));
    a.pushAll(F.push([F.bulk('invalidate'), F.array([F.bulk(keyOnA)])]));
    await invalidated;
    expect(cache.size).toBe(1);
    await cluster.get(keyOnA);
    const flushed = new Promise((resolve) => cache.once('invalidate', resolve));
    a.pushAll(F.push([F.bulk('invalidate'), F.nul()]));
    await flushed;
    expect(cache.nodeSize(a.address)).toBe(0);
    expect(cache.nodeSize(b.address)).toBe(1);
  });

  it('single flight: a miss issued while the same read is in flight shares it; one issued after an invalidation arrived sends its own', async () => {
    // The first read's reply is held back long enough for the steps below (a script, not a measurement).
    a.once('GET', () => ({ delayMs: 1500, bytes: F.bulk('old') }));
    a.on('GET', () => F.bulk('new'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    const leader = cluster.sendCommand(['GET', keyOnA], { timeout: 10_000 });
    await a.waitForCommand('GET');
    const sharer = cluster.sendCommand(['GET', keyOnA], { timeout: 10_000 });
    const invalidated = new Promise((resolve) => cache.once('invalidate', resolve));
    a.pushAll(F.push([F.bulk('invalidate'), F.array([F.bulk(keyOnA)])]));
    await invalidated;
    const after = cluster.sendCommand(['GET', keyOnA], { timeout: 10_000 });
    expect(await Promise.all([leader, sharer, after])).toEqual(['old', 'old', 'new']);
    expect(gets(a)).toBe(2);
    // The read sent after the invalidation is the one kept.
    expect(await cluster.get(keyOnA)).toBe('new');
    expect(gets(a)).toBe(2);
  });

  it('single flight never holds a call past its own deadline: a sharer with a short timeout rejects while the read hangs', async () => {
    a.once('GET', () => ({ noReply: true }));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    const leader = cluster.sendCommand(['GET', keyOnA], { timeout: 1000 });
    await a.waitForCommand('GET');
    const sharer = cluster.sendCommand(['GET', keyOnA], { timeout: 50 });
    await expect(sharer).rejects.toMatchObject({ code: 'ERR_REDIS_COMMAND_TIMEOUT' });
    expect(gets(a)).toBe(1);
    await expect(leader).rejects.toMatchObject({ code: 'ERR_REDIS_COMMAND_TIMEOUT' });
  });

  it('never caches a reply obtained through ASK (the executor skips the cache for ASK retries)', async () => {
    const slot = keySlot(keyOnA);
    a.on('GET', () => F.error(`ASK ${slot} 127.0.0.1:${b.port}`));
    b.on('GET', () => F.bulk('importing'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    expect(await cluster.get(keyOnA)).toBe('importing');
    expect(await cluster.get(keyOnA)).toBe('importing');
    expect(gets(b)).toBe(2);
    expect(cache.size).toBe(0);
    const stats = cache.stats();
    expect([stats.hitCount, stats.missCount, stats.loadFailureCount]).toEqual([0, 2, 2]);
  });

  it('never caches blocking or write commands', async () => {
    a.on('BLPOP', (argv) => F.array([F.bulk(argv[1]!), F.bulk('x')]));
    a.on('SET', () => F.simple('OK'));
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache);
    for (let i = 0; i < 2; i++) {
      await cluster.sendCommand(['BLPOP', keyOnA, '1']);
      await cluster.sendCommand(['SET', keyOnA, 'v']);
    }
    expect(a.commandNames().filter((n) => n === 'BLPOP' || n === 'SET')).toHaveLength(4);
    expect(cache.stats().requestCount()).toBe(0);
  });

  it('keeps working without caching on a node that refuses CLIENT TRACKING, and says so once', async () => {
    a.on('CLIENT', (argv) => (argv[1]?.toUpperCase() === 'TRACKING' ? F.error("NOPERM this user has no permissions to run the 'client|tracking' command") : undefined));
    a.on('GET', () => F.bulk('uncached'));
    const errors: Error[] = [];
    const cache = new BasicClientSideCache();
    const cluster = await connect(cache, errors);
    expect(await cluster.get(keyOnA)).toBe('uncached');
    expect(await cluster.get(keyOnA)).toBe('uncached');
    expect(gets(a)).toBe(2);
    expect(errors.filter((e) => e instanceof TrackingRefusedError)).toHaveLength(1);
  });
});
