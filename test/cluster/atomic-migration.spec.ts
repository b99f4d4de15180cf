// Atomic slot migration (Redis 8.4+ CLUSTER MIGRATION IMPORT, Valkey 9 CLUSTER MIGRATESLOTS) under load on the chaos
// cluster. A range of slots holding ~100k filler keys plus the hot keys of a counter-oracle workload moves from one
// master to another while: the workload runs (0 errors, 0 lost or duplicated INCRs, no wrong reply); a sharded
// subscriber listens on a channel in the range (it must follow the slot and keep receiving); a client-side cache holds
// keys of the range (it must not serve a value older than a write made on the new owner); a probe times a key the
// source keeps (Valkey's source stops answering for a while after the hand-off: measured, and within the deadline).
// Skipped, with the reason shown, on servers without atomic slot migration (Debian's Redis 7.0).
import { createCluster, type RedisCluster, type RedisClusterOptions } from '../../lib/index.js';
import { useFreshChaosCluster } from '../support/chaos-cluster.js';
import { migrateSlotsAtomically, supportsAtomicMigration, waitOwnership } from '../support/atomic-migration.js';
import { describeOnServer, keySlot, mastersAndReplicas, nodeCommand, serverLabel, testServers } from '../support/servers.js';
import { report, tagsInRanges, tagsPerShard, until, Workload } from '../support/workload.js';

const chaos = () => testServers().clusters.chaos;
const DEADLINE_MS = 3000;
const RANGE = 64;
/** Keys in the moved range (NRC_ASM_FILLER_KEYS overrides, e.g. 300000 to reproduce Valkey's ~0.9 s stall). */
const FILLER_KEYS = Number(process.env.NRC_ASM_FILLER_KEYS ?? 100_000);
const VALUE = 'x'.repeat(100);

describeOnServer({ redis: 8, valkey: 9 }, 'atomic slot migration', 'atomic slot migration under load', () => {
  useFreshChaosCluster();
  const clients: RedisCluster[] = [];
  const client = (extra: Partial<RedisClusterOptions> = {}): RedisCluster => {
    const c = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${chaos().ports[0]}` }], defaults: { commandTimeout: DEADLINE_MS }, ...extra });
    c.on('error', () => undefined);
    c.on('node-error', () => undefined);
    clients.push(c);
    return c;
  };

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it('moves a loaded slot range: no error, no lost write, sharded subscription and client-side cache follow', async () => {
    if (!supportsAtomicMigration()) throw new Error(`${serverLabel()} has no atomic slot migration`);
    const topo = await mastersAndReplicas(chaos());
    const [src, dst] = topo.shards as [(typeof topo.shards)[0], (typeof topo.shards)[0]];
    const [start0, end0] = [...src.slots].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))[0]!;
    if (end0 - start0 < RANGE + 200) throw new Error('source range too small');
    const start = start0 + 100;
    const end = start + RANGE - 1;
    const range: Array<[number, number]> = [[start, end]];
    const hot = tagsInRanges(range, 3, 'asm');
    const cold = [...tagsPerShard(topo, 1, 'cold').values()].flat();
    const stay = tagsInRanges([[start0, start - 1]], 1, 'stay')[0]!;

    const work = client();
    const subscriber = client();
    const cached = client({ clientSideCache: { maxEntries: 10_000 } });
    await Promise.all([work.connect(), subscriber.connect(), cached.connect()]);

    // ~100k keys of 100 bytes in the range make the migration last long enough to overlap the workload.
    const fillTags = tagsInRanges(range, 32, 'fill');
    const perTag = Math.ceil(FILLER_KEYS / fillTags.length);
    for (const tag of fillTags) {
      for (let i = 0; i < perTag; i += 1000) {
        const batch: string[] = [];
        for (let j = i; j < Math.min(i + 1000, perTag); j++) batch.push(`fill:${j}{${tag}}`, VALUE);
        await work.mSet(batch);
      }
    }

    // Client-side cache: keys of the range, read (and cached) before the move.
    const cacheKeys = hot.map((t) => `csc{${t}}`);
    for (const k of cacheKeys) await work.set(k, 'before');
    for (const k of cacheKeys) expect(await cached.get(k)).toBe('before');
    for (const k of cacheKeys) expect(await cached.get(k)).toBe('before');
    const cache = cached.clientSideCache!;
    expect(cache.stats().hitCount).toBeGreaterThanOrEqual(cacheKeys.length);

    // Sharded pub/sub on a channel of the range, fed every few ms with sequence numbers.
    const channel = `ch{${hot[0]}}`;
    const received: number[] = [];
    await subscriber.sSubscribe(channel, (message) => received.push(Number(message)));
    const srcAddress = `127.0.0.1:${src.master.port}`;
    const dstAddress = `127.0.0.1:${dst.master.port}`;
    expect(subscriber.subscriptions().shardChannels[channel]).toBe(srcAddress);
    let seq = 0;
    let publishing = true;
    const publishErrors: string[] = [];
    const publisher = (async () => {
      while (publishing) {
        const n = ++seq;
        await work.sPublish(channel, String(n)).catch((e: Error) => publishErrors.push(e.name));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until(() => received.length >= 5, 'sharded messages before the move');

    // Probe: a key the source keeps, read in a loop (Valkey's source stalls after the hand-off).
    const stayKey = `stay{${stay}}`;
    await work.set(stayKey, '1');
    let probing = true;
    const probeLatencies: number[] = [];
    const probeErrors: string[] = [];
    const prober = (async () => {
      while (probing) {
        const t = Date.now();
        await work.get(stayKey).then(
          () => probeLatencies.push(Date.now() - t),
          (e: Error) => probeErrors.push(e.name),
        );
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const wl = new Workload({ cluster: work, prefix: `asm${Date.now()}`, tags: [...hot, ...cold], hotTags: hot, hotRatio: 0.7, workers: 4, timeoutMs: DEADLINE_MS, multiTimeoutMs: DEADLINE_MS });
    wl.start();
    await wl.waitForOps(500);
    const before = work.stats();

    const invalidationsBefore = cache.stats().invalidationCount;
    const migration = await migrateSlotsAtomically(src.master.port, dst.master.port, start, end);
    await waitOwnership(chaos(), dst.master.port, start, end);
    const afterMoveAt = seq;

    // Client-side cache: another client writes the moved keys on their new owner. Reads through the cache return
    // the old value until the old owner's invalidation arrives (it comes when the source deletes the moved keys):
    // measure that window, and require it to end.
    for (const k of cacheKeys) await nodeCommand(dst.master.port, 'SET', k, 'after');
    const staleFrom = Date.now();
    let staleReads = 0;
    await until(
      async () => {
        const values = await Promise.all(cacheKeys.map((k) => cached.get(k)));
        if (values.every((v) => v === 'after')) return true;
        expect(values.every((v) => v === 'after' || v === 'before')).toBe(true);
        staleReads++;
        return false;
      },
      'the client-side cache to drop the moved keys',
      30_000,
      5,
    );
    const staleWindowMs = Date.now() - staleFrom;

    // The workload keeps going on the new owner; the subscription follows the slot.
    await until(() => work.stats().moved > before.moved, 'a MOVED on the moved range', 10_000);
    await wl.waitForOps(500);
    await until(() => subscriber.subscriptions().shardChannels[channel] === dstAddress, 'the sharded subscription to follow the slot', 15_000);
    const resubscribedAt = seq;
    await until(() => received.some((n) => n > resubscribedAt + 5), 'sharded messages after the move', 10_000);
    publishing = false;
    probing = false;
    await Promise.all([publisher, prober]);
    await until(() => received.includes(seq), 'the last sharded message', 10_000);
    await wl.stop();

    for (const k of cacheKeys) expect(await cached.get(k)).toBe('after');

    const stats = work.stats();
    const summary = wl.summary();
    const rec = await wl.reconcile();
    const lastBefore = Math.max(...received.filter((n) => n <= afterMoveAt), 0);
    const firstAfter = Math.min(...received.filter((n) => n > afterMoveAt));
    const fromResub = received.filter((n) => n > resubscribedAt);
    report(`atomic migration (${serverLabel()})`, {
      slots: `${start}-${end}`,
      fillerKeys: fillTags.length * perTag,
      migrationMs: migration.ms,
      serverStatus: { state: migration.status.state, write_pause_ms: migration.status.write_pause_ms },
      ops: summary.ops,
      errors: summary.errorsByName,
      maxLatencyMs: summary.maxLatencyMs,
      probe: { reads: probeLatencies.length, maxMs: Math.max(...probeLatencies), errors: probeErrors },
      stats: { moved: stats.moved - before.moved, ask: stats.ask - before.ask, tryAgain: stats.tryAgain - before.tryAgain },
      pubsub: { published: seq, received: received.length, lastBefore, firstAfter, missedAroundMove: firstAfter - lastBefore - 1, missedInAll: seq - new Set(received).size, duplicates: received.length - new Set(received).size, publishErrors: publishErrors.length },
      cache: { invalidations: cache.stats().invalidationCount - invalidationsBefore, staleReads, staleWindowMs },
      acked: rec.acked,
      lost: rec.lost,
      duplicated: rec.duplicated,
    });

    expect(summary.violations).toEqual([]);
    expect(summary.errorsByName).toEqual({});
    expect(rec.lost).toBe(0);
    expect(rec.duplicated).toBe(0);
    expect(rec.finalTotal).toBe(rec.acked);
    expect(summary.onlineLost + summary.onlineDup + summary.onlineNoack).toBe(0);
    // Within the commands' deadline, always (the source's stall included).
    expect(summary.maxLatencyMs).toBeLessThan(DEADLINE_MS);
    expect(probeErrors).toEqual([]);
    expect(Math.max(...probeLatencies)).toBeLessThan(DEADLINE_MS);
    // Atomic migration never answers ASK or TRYAGAIN, only MOVED once the hand-off is done.
    expect(stats.ask - before.ask).toBe(0);
    expect(stats.tryAgain - before.tryAgain).toBe(0);
    // The subscription keeps delivering: every message published once it had moved arrived, in order.
    const expected = Array.from({ length: seq - resubscribedAt }, (_, i) => resubscribedAt + 1 + i);
    expect(fromResub).toEqual(expected);
    expect(publishErrors).toEqual([]);
    // The cached keys were dropped by the server's invalidations (not by a ttl: the cache has none).
    expect(cache.stats().invalidationCount - invalidationsBefore).toBeGreaterThanOrEqual(cacheKeys.length);
    expect(keySlot(channel)).toBeGreaterThanOrEqual(start);
  }, 180_000);
});
