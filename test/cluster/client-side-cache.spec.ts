// Client-side caching on real 7.0 clusters: CLIENT TRACKING invalidations (other clients' writes,
// our own writes, replicated writes on replicas), per-node drops on a lost connection and on
// FLUSHALL, ttl, and what is never cached. FLUSHALL runs on the chaos cluster (destructive ops only there).
import { BasicClientSideCache, type RedisCluster } from '../../lib/index.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers, migrateSlot, redisCli, testServers, waitForClusterOk } from '../support/servers.js';

const run = Math.random().toString(36).slice(2, 8);

/** Polls `check` every 10 ms until it holds (no fixed sleeps). */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `cmdstat_<command>` calls on one node. */
async function calls(port: number, command: string): Promise<number> {
  const info = await redisCli(port, 'INFO', 'commandstats');
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

/** One key per master: `{ address, port, key }`, keys named `<prefix>:<n>`. */
function keyPerMaster(cluster: RedisCluster, prefix: string): Array<{ address: string; port: number; key: string }> {
  const masters = cluster.getPrimaries();
  const out = new Map<string, { address: string; port: number; key: string }>();
  for (let i = 0; out.size < masters.length && i < 10_000; i++) {
    const key = `${prefix}:${i}`;
    const owner = cluster.getNodeByKey(key)!;
    if (!out.has(owner.address)) out.set(owner.address, { address: owner.address, port: owner.port, key });
  }
  return [...out.values()];
}

/** Kills (CLIENT KILL ID) every connection named `name` on a node; returns how many. */
async function killConnections(port: number, name: string): Promise<number> {
  const list = await redisCli(port, 'CLIENT', 'LIST');
  const ids = list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /\bid=(\d+)/.exec(line)![1]!);
  for (const id of ids) await redisCli(port, 'CLIENT', 'KILL', 'ID', id);
  return ids.length;
}

async function withClients<T>(fn: (cached: RedisCluster, other: RedisCluster, cache: BasicClientSideCache) => Promise<T>, cache = new BasicClientSideCache(), which: 'main' | 'chaos' = 'main', extra: Parameters<typeof mainCluster>[0] = {}): Promise<T> {
  const cached = mainCluster({ clientSideCache: cache, defaults: { name: `csc-${run}` }, ...extra }, which);
  const other = mainCluster({}, which);
  try {
    await Promise.all([cached.connect(), other.connect()]);
    return await fn(cached, other, cache);
  } finally {
    await Promise.all([cached.close(), other.close()]);
  }
}

describeWithServers('client-side cache on a real cluster', () => {
  it('serves the second GET from the cache: no server round trip (INFO commandstats)', async () => {
    await withClients(async (cluster, _other, cache) => {
      const key = `csc:${run}:hit`;
      await cluster.set(key, 'v1');
      const port = cluster.getNodeByKey(key)!.port;
      const before = await calls(port, 'get');
      expect(await cluster.get(key)).toBe('v1');
      expect(await cluster.get(key)).toBe('v1');
      expect(await cluster.get(key)).toBe('v1');
      expect((await calls(port, 'get')) - before).toBe(1);
      const stats = cache.stats();
      expect([stats.missCount, stats.hitCount, stats.loadSuccessCount]).toEqual([1, 2, 1]);
      expect(stats.hitRate()).toBeCloseTo(2 / 3);
      expect(cluster.clientSideCache).toBe(cache);
    });
  });

  it('concurrent GETs of one key share one server read (single flight); a write in between is never hidden', async () => {
    await withClients(async (cluster, other) => {
      const key = `csc:${run}:flight`;
      await other.set(key, 'v1');
      const port = cluster.getNodeByKey(key)!.port;
      const before = await calls(port, 'get');
      const replies = await Promise.all(Array.from({ length: 8 }, () => cluster.get(key)));
      expect(replies).toEqual(Array.from({ length: 8 }, () => 'v1'));
      expect((await calls(port, 'get')) - before).toBe(1);
      // A write acknowledged before the next reads: they never see v1 again (invalidation, then one new read).
      await cluster.set(key, 'v2');
      const again = await Promise.all(Array.from({ length: 8 }, () => cluster.get(key)));
      expect(again).toEqual(Array.from({ length: 8 }, () => 'v2'));
      expect((await calls(port, 'get')) - before).toBe(2);
    });
  });

  it('creates a cache from plain options and exposes it as cluster.clientSideCache', async () => {
    const cluster = mainCluster({ clientSideCache: { maxEntries: 100, ttl: 60_000 } });
    try {
      await cluster.connect();
      const key = `csc:${run}:options`;
      await cluster.set(key, 'x');
      await cluster.get(key);
      await cluster.get(key);
      expect(cluster.clientSideCache!.stats().hitCount).toBe(1);
      expect(mainCluster({}).clientSideCache).toBeUndefined();
    } finally {
      await cluster.close();
    }
  });

  it('invalidates on another client’s write and on our own write (default tracking mode, no NOLOOP)', async () => {
    await withClients(async (cluster, other, cache) => {
      const key = `csc:${run}:shared`;
      await other.set(key, 'from-b-1');
      expect(await cluster.get(key)).toBe('from-b-1');
      expect(await cluster.get(key)).toBe('from-b-1');
      expect(cache.size).toBe(1);
      await other.set(key, 'from-b-2');
      await until('the invalidation of the other client’s write', () => cache.size === 0);
      expect(await cluster.get(key)).toBe('from-b-2');
      expect(await cluster.get(key)).toBe('from-b-2');
      await cluster.set(key, 'own');
      await until('the invalidation of our own write', () => cache.size === 0);
      expect(await cluster.get(key)).toBe('own');
      const stats = cache.stats();
      expect(stats.invalidationCount).toBe(2);
      expect([stats.missCount, stats.hitCount]).toEqual([3, 2]);
    });
  });

  it('caches hashes, lists and MGET per slot; callers cannot corrupt cached replies; a write drops only its slot’s MGET part', async () => {
    await withClients(async (cluster, other, cache) => {
      const hash = `csc:${run}:hash`;
      const list = `csc:${run}:list`;
      await other.hSet(hash, { a: '1', b: '2' });
      await other.rPush(list, ['x', 'y']);
      const first = await cluster.hGetAll(hash);
      first['a'] = 'mutated';
      expect(await cluster.hGetAll(hash)).toEqual({ a: '1', b: '2' });
      const range = (await cluster.sendCommand(['LRANGE', list, '0', '-1'])) as string[];
      range.push('mutated');
      expect(await cluster.sendCommand(['LRANGE', list, '0', '-1'])).toEqual(['x', 'y']);
      const keys = [`{csc-a}${run}:1`, `{csc-a}${run}:2`, `{csc-b}${run}:1`];
      await other.mSet(keys.flatMap((k, i) => [k, `m${i}`]));
      expect(await cluster.mGet(keys)).toEqual(['m0', 'm1', 'm2']);
      const hitsBefore = cache.stats().hitCount;
      expect(await cluster.mGet(keys)).toEqual(['m0', 'm1', 'm2']);
      expect(cache.stats().hitCount - hitsBefore).toBe(2); // one MGET per slot, both from the cache
      await other.set(keys[1]!, 'changed');
      await until('the MGET part of slot {csc-a} to be invalidated', async () => {
        const misses = cache.stats().missCount;
        const values = await cluster.mGet(keys);
        return values[1] === 'changed' && cache.stats().missCount === misses + 1;
      });
      expect(cache.stats().hitCount).toBeGreaterThan(hitsBefore);
    });
  });

  it('keeps string and Buffer replies apart and never caches writes or blocking commands', async () => {
    await withClients(async (cluster, other, cache) => {
      const key = `csc:${run}:modes`;
      await other.set(key, 'text');
      expect(await cluster.get(key)).toBe('text');
      const buffer = await cluster.sendCommand<Buffer>(['GET', key], { returnBuffers: true });
      expect(Buffer.isBuffer(buffer)).toBe(true);
      const hits = cache.stats().hitCount;
      expect(Buffer.isBuffer(await cluster.sendCommand(['GET', key], { returnBuffers: true }))).toBe(true);
      expect(cache.stats().hitCount).toBe(hits + 1);
      expect(typeof (await cluster.get(key))).toBe('string');
      const list = `csc:${run}:blocking`;
      await other.rPush(list, ['first', 'second']);
      const requests = cache.stats().requestCount();
      expect(await cluster.blPop(list, 1)).toEqual({ key: list, element: 'first' });
      expect(await cluster.blPop(list, 1)).toEqual({ key: list, element: 'second' });
      await cluster.set(`csc:${run}:w`, '1');
      await cluster.set(`csc:${run}:w`, '2');
      expect(cache.stats().requestCount()).toBe(requests);
    });
  });

  it('drops only the lost node’s entries when our connection to one master is killed, then tracks again', async () => {
    await withClients(async (cluster, other, cache) => {
      const targets = keyPerMaster(cluster, `csc:${run}:kill`);
      expect(targets).toHaveLength(3);
      for (const { key } of targets) await other.set(key, `v:${key}`);
      for (const { key } of targets) await cluster.get(key);
      expect(cache.size).toBe(3);
      const [victim, ...survivors] = targets as [(typeof targets)[0], ...typeof targets];
      expect(await killConnections(victim.port, `csc-${run}`)).toBe(1);
      await until('the killed node’s entries to be dropped', () => cache.nodeSize(victim.address) === 0);
      expect(cache.size).toBe(2);
      const hits = cache.stats().hitCount;
      for (const { key } of survivors) expect(await cluster.get(key)).toBe(`v:${key}`);
      expect(cache.stats().hitCount - hits).toBe(2);
      // The reconnected connection tracks again: a read is cached, and a write invalidates it.
      expect(await cluster.get(victim.key)).toBe(`v:${victim.key}`);
      expect(cache.nodeSize(victim.address)).toBe(1);
      await other.set(victim.key, 'after reconnect');
      await until('the invalidation on the new connection', () => cache.nodeSize(victim.address) === 0);
      expect(await cluster.get(victim.key)).toBe('after reconnect');
    });
  });

  it('expires entries after ttl ms', async () => {
    await withClients(
      async (cluster, other, cache) => {
        const key = `csc:${run}:ttl`;
        await other.set(key, 'v');
        const start = Date.now();
        await cluster.get(key);
        expect(await cluster.get(key)).toBe('v');
        expect(cache.stats().hitCount).toBe(1);
        await until('the entry to expire', async () => {
          await cluster.get(key);
          return cache.stats().missCount === 2;
        });
        expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
        expect(cache.stats().evictionCount).toBe(1);
      },
      // Long enough that the second GET is a hit on a slow machine too.
      new BasicClientSideCache({ ttl: 1000 }),
    );
  });

  it('caches replica reads and drops them on the replicated write (useReplicas)', async () => {
    await withClients(
      async (cluster, other, cache) => {
        const key = `csc:${run}:replica`;
        await other.set(key, 'v1');
        await until('replicas to be online', async () => {
          await cluster.refreshTopology();
          return cluster.getReplicas().length === 3;
        }, 20_000);
        const replicas = new Set(cluster.getReplicas().map((r) => r.address));
        await until('the replica to have the key', async () => (await cluster.get(key)) === 'v1' || (cache.invalidate(key), false));
        const servedBy = cache.nodesWithEntries();
        expect(servedBy).toHaveLength(1);
        expect(replicas.has(servedBy[0]!)).toBe(true);
        expect(await cluster.get(key)).toBe('v1');
        await other.set(key, 'v2');
        await until('the replica’s invalidation', () => cache.size === 0);
        expect(await cluster.get(key)).toBe('v2');
      },
      new BasicClientSideCache(),
      'main',
      { useReplicas: true },
    );
  });
});

describeWithServers('client-side cache on the chaos cluster (FLUSHALL, slot migration)', () => {
  it('drops the entries of a migrated slot only; other entries of the source node keep hitting', async () => {
    const chaos = testServers().clusters.chaos;
    await waitForClusterOk(chaos, 30_000);
    await withClients(
      async (cluster, other, cache) => {
        const source = cluster.getPrimaries()[0]!;
        const target = cluster.getPrimaries()[1]!;
        const onSource = Array.from({ length: 5000 }, (_, i) => `csc:${run}:mig:${i}`).filter((k) => cluster.getNodeByKey(k)!.address === source.address);
        const moving = onSource[0]!;
        const staying = onSource.find((k) => cluster.keySlot(k) !== cluster.keySlot(moving))!;
        const elsewhere = Array.from({ length: 5000 }, (_, i) => `csc:${run}:mig-t:${i}`).find((k) => cluster.getNodeByKey(k)!.address === target.address)!;
        for (const key of [moving, staying, elsewhere]) await other.set(key, `v:${key}`);
        for (const key of [moving, staying, elsewhere]) await cluster.get(key);
        expect(cache.size).toBe(3);
        const slot = cluster.keySlot(moving);
        await migrateSlot(chaos, slot, source.port, target.port);
        try {
          // MIGRATE deleted the key on the source: its tracking connection sent the invalidation.
          await until('the migrated key’s invalidation', () => cache.size === 2);
          const hits = cache.stats().hitCount;
          expect(await cluster.get(staying)).toBe(`v:${staying}`);
          expect(await cluster.get(elsewhere)).toBe(`v:${elsewhere}`);
          expect(cache.stats().hitCount - hits).toBe(2);
          expect(await cluster.get(moving)).toBe(`v:${moving}`); // MOVED, followed, not cached
          expect(cluster.stats().moved).toBeGreaterThanOrEqual(1);
          expect(await cluster.get(moving)).toBe(`v:${moving}`); // now read from (and cached for) the new owner
          expect(cache.nodeSize(target.address)).toBe(2);
          expect(await cluster.get(staying)).toBe(`v:${staying}`);
          expect(cache.nodeSize(source.address)).toBe(1);
        } finally {
          await migrateSlot(chaos, slot, target.port, source.port);
        }
      },
      new BasicClientSideCache(),
      'chaos',
      { topologyRefreshInterval: 0 },
    );
  });

  it('drops the entries of a slot that moved without any invalidation as soon as a MOVED (or a refresh) shows it, without a lookup', async () => {
    // A cached reply for a missing key: MIGRATE moves no key, so the source sends no invalidation, and the new owner
    // never tracked our read. Only the client's knowledge of the move can drop the entry.
    const chaos = testServers().clusters.chaos;
    await waitForClusterOk(chaos, 30_000);
    for (const via of ['moved', 'refresh'] as const) {
      await withClients(
        async (cluster, other, cache) => {
          const source = cluster.getPrimaries()[0]!;
          const target = cluster.getPrimaries()[1]!;
          const missing = Array.from({ length: 5000 }, (_, i) => `csc:${run}:${via}:{m${i}}`).find((k) => cluster.getNodeByKey(k)!.address === source.address)!;
          const slot = cluster.keySlot(missing);
          const sibling = `${missing}:sibling`; // same hash tag, same slot
          expect(await cluster.get(missing)).toBeNull();
          expect(cache.nodeSize(source.address)).toBe(1);
          const dropped: Array<{ keys: readonly string[] | null; reason: string }> = [];
          cache.on('invalidate', (keys, info) => dropped.push({ keys, reason: info.reason }));
          await migrateSlot(chaos, slot, source.port, target.port);
          try {
            await other.set(missing, 'written on the new owner');
            expect(cache.nodeSize(source.address)).toBe(1); // still there: nothing told the client yet
            if (via === 'moved') await cluster.set(sibling, 'x'); // MOVED: the slot is patched, the entry dropped at once
            else await cluster.refreshTopology();
            expect(cache.nodeSize(source.address)).toBe(0);
            expect(dropped).toEqual([{ keys: [missing], reason: 'topology' }]);
            expect(await cluster.get(missing)).toBe('written on the new owner');
          } finally {
            await other.del([missing, sibling]);
            await migrateSlot(chaos, slot, target.port, source.port);
          }
        },
        new BasicClientSideCache(),
        'chaos',
        { topologyRefreshInterval: 0 },
      );
    }
  });

  it('drops only the flushed node’s entries on the null invalidation', async () => {
    await waitForClusterOk(testServers().clusters.chaos, 30_000);
    await withClients(
      async (cluster, other, cache) => {
        const targets = keyPerMaster(cluster, `csc:${run}:flush`);
        for (const { key } of targets) await other.set(key, 'v');
        for (const { key } of targets) await cluster.get(key);
        expect(cache.size).toBe(targets.length);
        const [flushed, ...kept] = targets as [(typeof targets)[0], ...typeof targets];
        const invalidation = new Promise<unknown>((resolve) => cache.on('invalidate', (keys, info) => info.reason === 'flush' && resolve([keys, info])));
        await redisCli(flushed.port, 'FLUSHALL');
        expect(await invalidation).toEqual([null, { reason: 'flush', node: flushed.address }]);
        expect(cache.nodeSize(flushed.address)).toBe(0);
        const hits = cache.stats().hitCount;
        for (const { key } of kept) expect(await cluster.get(key)).toBe('v');
        expect(cache.stats().hitCount - hits).toBe(kept.length);
        expect(await cluster.get(flushed.key)).toBeNull();
      },
      new BasicClientSideCache(),
      'chaos',
    );
  });
});
