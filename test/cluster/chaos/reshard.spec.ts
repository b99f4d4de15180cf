// Chaos S2 (reliability.md §6): live resharding under load on the chaos cluster. Four workers run the counter
// oracle (GET+INCR per-worker counters, SET/GET of values that embed their key, same-tag MSET/MGET), aimed mostly
// at two slots that are moved, key by key, from one master to another and back while the workload runs. The
// migration pauses between steps until the client has demonstrably followed an ASK (a key already moved) and a
// TRYAGAIN (a multi-key command on a half-moved key group). Asserts: ASK ≥ 1, MOVED ≥ 1, TRYAGAIN ≥ 1 and the
// multi-key command succeeded within its deadline, no wrong reply, no error at all, every acknowledged INCR present
// exactly once.
import { describeWithServers, keySlot, mastersAndReplicas, migrateSlot, testServers, type MigrateStep, type MigrateStepInfo } from '../../support/servers.js';
import { useFreshChaosCluster } from '../../support/chaos-cluster.js';
import { mainCluster, useTestClient } from '../../support/cluster-client.js';
import { report, tagsInRanges, tagsPerShard, until, Workload } from '../../support/workload.js';

const chaos = () => testServers().clusters.chaos;

describeWithServers('chaos: live reshard under load (S2)', () => {
  useFreshChaosCluster();
  const testClient = useTestClient();

  it('moves two loaded slots away and back: ASK, TRYAGAIN and MOVED followed, no error, no wrong reply, no lost or duplicated INCR', async () => {
    const topo = await mastersAndReplicas(chaos());
    const [a, b] = topo.shards;
    const hot = tagsInRanges(a!.slots, 2, 'hot');
    const cold = [...tagsPerShard(topo, 1, 'cold').values()].flat();
    const c = testClient(mainCluster({ defaults: { commandTimeout: 2000 } }, 'chaos'));
    await c.connect();
    // Filler keys make each migration take a while (one MIGRATE per key) while the workers keep going.
    for (const tag of hot) {
      const filler: string[] = [];
      for (let i = 0; i < 200; i++) filler.push(`fill:${i}{${tag}}`, `fill:${i}{${tag}}#0`);
      await c.mSet(filler);
    }

    const wl = new Workload({ cluster: c, prefix: `rs${Date.now()}`, tags: [...hot, ...cold], hotTags: hot, hotRatio: 0.7, workers: 4, timeoutMs: 2000, multiTimeoutMs: 5000 });
    wl.start();
    await wl.waitForOps(1000);

    const probes: Array<{ what: string; ms: number }> = [];
    const pendingProbes: Array<Promise<void>> = [];

    /** Pauses the migration until the client has followed one ASK and one TRYAGAIN for this slot. */
    const hookFor = (tag: string) => {
      const moved = new Set<string>();
      let askDone = false;
      let tryAgainDone = false;
      return async (step: MigrateStep, info: MigrateStepInfo) => {
        if (step !== 'batch') return;
        for (const k of info.batch ?? []) moved.add(k);
        if (!askDone) {
          // A key already on the target: the source answers ASK, the client must ASKING + retry on the target.
          const key = info.batch![0]!;
          const before = c.stats().ask;
          const started = Date.now();
          const value = await c.sendCommand<string | null>(['GET', key], { timeout: 2000 });
          expect(c.stats().ask).toBeGreaterThan(before);
          expect(value === null || /^\d+$/.test(value) || value.startsWith(`${key}#`)).toBe(true);
          probes.push({ what: `GET via ASK (${tag})`, ms: Date.now() - started });
          askDone = true;
        }
        if (!tryAgainDone) {
          // A group with some keys moved and some not: MGET on it gets TRYAGAIN until the rest has moved.
          const groups = new Map<string, string[]>();
          for (const k of wl.allKeys) {
            const m = /^(.*:g)[abc](\{.*\})$/.exec(k);
            if (m && keySlot(k) === info.slot) groups.set(m[1]! + m[2]!, [...(groups.get(m[1]! + m[2]!) ?? []), k]);
          }
          const split = [...groups.values()].find((keys) => keys.some((k) => moved.has(k)) && keys.some((k) => !moved.has(k)));
          if (!split) return;
          tryAgainDone = true;
          const before = c.stats().tryAgain;
          const started = Date.now();
          const probe = c.sendCommand<Array<string | null>>(['MGET', ...split], { timeout: 5000 });
          pendingProbes.push(
            probe.then((values) => {
              probes.push({ what: `MGET through TRYAGAIN (${tag})`, ms: Date.now() - started });
              values.forEach((v, i) => expect(v === null || v.startsWith(`${split[i]}#`)).toBe(true));
            }),
          );
          // Hold the slot half-migrated until the client has seen TRYAGAIN (the probe retries meanwhile).
          await until(() => c.stats().tryAgain > before, 'TRYAGAIN on the half-moved group', 4000, 5);
        }
      };
    };

    const moves: Array<{ slot: number; from: number; to: number; keys: number; ms: number }> = [];
    for (const [from, to] of [
      [a!.master.port, b!.master.port],
      [b!.master.port, a!.master.port],
    ] as const) {
      for (const tag of hot) {
        const slot = keySlot(tag);
        const movedBefore = c.stats().moved;
        const started = Date.now();
        const { movedKeys } = await migrateSlot(chaos(), slot, from, to, { batchSize: 1, onStep: hookFor(tag) });
        moves.push({ slot, from, to, keys: movedKeys, ms: Date.now() - started });
        expect(movedKeys).toBeGreaterThan(0);
        // The client still routes the slot to the old owner: the next command on it is answered MOVED.
        await until(() => c.stats().moved > movedBefore, `MOVED for slot ${slot}`, 10_000);
      }
    }
    await Promise.all(pendingProbes);
    await wl.waitForOps(500);
    await wl.stop();

    const stats = c.stats();
    const summary = wl.summary();
    const rec = await wl.reconcile();
    report('S2 reshard', {
      moves,
      probes,
      ops: summary.ops,
      errors: summary.errorsByName,
      maxLatencyMs: summary.maxLatencyMs,
      stats,
      acked: rec.acked,
      indeterminate: rec.indeterminate,
      final: rec.finalTotal,
      lost: rec.lost,
      duplicated: rec.duplicated,
    });
    expect(summary.violations).toEqual([]);
    expect(summary.errorsByName).toEqual({});
    expect(stats.ask).toBeGreaterThanOrEqual(1);
    expect(stats.moved).toBeGreaterThanOrEqual(1);
    expect(stats.tryAgain).toBeGreaterThanOrEqual(1);
    expect(probes.filter((p) => p.what.startsWith('MGET'))).toHaveLength(hot.length * 2);
    expect(rec.lost).toBe(0);
    expect(rec.duplicated).toBe(0);
    expect(rec.finalTotal).toBe(rec.acked);
    expect(summary.onlineLost + summary.onlineDup + summary.onlineNoack).toBe(0);
  }, 90_000);
});
