// Chaos S3 (reliability.md §6): planned failover. `CLUSTER FAILOVER` on a replica while four workers run the
// counter oracle over every shard. Asserts: no wrong reply; at most a handful of errors, each an in-flight write
// whose outcome is unknown (CommandTimeout / connection closed) and counted as indeterminate; every INCR applied at
// most once (acked ≤ final ≤ acked + indeterminate); the client finds the new master by itself (success on that
// shard after the promotion) and reports a `topology-change` with the role changes; and a MULTI/INCR/GET/EXEC sent
// by a client whose topology predates the failover is re-run whole on the new master and returns [1, '1'].
import { createCluster, type RedisCluster, type TopologyDiff } from '../../../lib/index.js';
import { describeWithServers, failover, mastersAndReplicas, resetCluster, testServers } from '../../support/servers.js';
import { lockChaosCluster, report, tagsPerShard, until, Workload } from '../../support/workload.js';

const chaos = () => testServers().clusters.chaos;

function client(commandTimeout: number): RedisCluster {
  const c = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${chaos().ports[0]}` }], defaults: { commandTimeout } });
  c.on('error', () => undefined);
  c.on('node-error', () => undefined);
  return c;
}

describeWithServers('chaos: manual failover under load (S3)', () => {
  let release: (() => void) | undefined;
  const clients: RedisCluster[] = [];

  beforeAll(async () => {
    release = await lockChaosCluster();
    // A fresh chaos cluster for every file: earlier files kill, restart and reshard its nodes.
    await resetCluster(chaos(), { recreate: true });
  }, 180_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    try {
      await resetCluster(chaos());
    } finally {
      release?.();
    }
  }, 120_000);

  it('promotes a replica under load: nothing lost or applied twice, the client follows by itself, MULTI is re-run whole', async () => {
    const topo = await mastersAndReplicas(chaos());
    const shard = topo.shards[1]!;
    const oldMaster = shard.master.port;
    const replica = shard.replicas[0]!.port;
    const tagsByShard = tagsPerShard(topo, 2, 'mf');
    const shardTags = tagsByShard.get(oldMaster)!;

    const c = client(1000);
    clients.push(c);
    const diffs: Array<{ at: number; diff: TopologyDiff }> = [];
    c.on('topology-change', (diff) => diffs.push({ at: Date.now(), diff }));
    await c.connect();
    // A second client that stays idle: its topology still names the old master when it sends the MULTI.
    const stale = client(2000);
    clients.push(stale);
    await stale.connect();
    const txKey = `mf:tx{${shardTags[0]}}`;
    expect(stale.getNodeByKey(txKey)!.port).toBe(oldMaster);

    const wl = new Workload({ cluster: c, prefix: `mf${Date.now()}`, tags: [...tagsByShard.values()].flat(), hotTags: shardTags, hotRatio: 0.5, workers: 4, timeoutMs: 1000 });
    wl.start();
    await wl.waitForOps(1000);
    // Replicas that have not replicated anything yet are reported as "loading" and left out of the topology;
    // with the workload's writes replicated, all three must be known before the failover.
    await until(async () => {
      await c.refreshTopology();
      return c.getReplicas().length === 3;
    }, 'the client to know all three replicas', 10_000, 100);

    const failoverAt = Date.now();
    const movedBefore = c.stats().moved;
    await failover(replica);
    const promotedAt = Date.now();
    // The client recovers by itself: a command on the failed-over shard, issued after the promotion, succeeds.
    const firstOk = await wl.waitFor((r) => r.ok && r.start >= promotedAt && shardTags.includes(r.tag), 10_000, 'success on the new master');
    await until(() => c.getNodeByKey(txKey)?.port === replica, 'the client to route the shard to the new master', 10_000);
    await wl.waitForOps(1000);
    await wl.stop();

    // MULTI on the stale client: MOVED inside the transaction → EXECABORT → the whole block re-runs on the new master.
    const staleMovedBefore = stale.stats().moved;
    const tx = await stale.multi().incr(txKey).get(txKey).exec();
    expect(tx).toEqual([1, '1']);
    expect(stale.stats().moved).toBeGreaterThan(staleMovedBefore);
    expect(await c.get(txKey)).toBe('1');

    const summary = wl.summary();
    const rec = await wl.reconcile();
    const shardFailures = wl.failures();
    const roleChange = diffs.find((d) => d.diff.roleChanged.length > 0);
    report('S3 manual failover', {
      oldMaster,
      newMaster: replica,
      failoverMs: promotedAt - failoverAt,
      firstSuccessAfterPromotionMs: firstOk.end - promotedAt,
      ops: summary.ops,
      errors: summary.errorsByName,
      maxLatencyMs: summary.maxLatencyMs,
      stats: c.stats(),
      movedDuringFailover: c.stats().moved - movedBefore,
      topologyChanges: diffs.map((d) => ({ atMs: d.at - failoverAt, ...d.diff })),
      acked: rec.acked,
      indeterminate: rec.indeterminate,
      failedNo: rec.failedNo,
      final: rec.finalTotal,
      lost: rec.lost,
      duplicated: rec.duplicated,
      roleChanged: roleChange?.diff.roleChanged,
    });

    expect(summary.violations).toEqual([]);
    // Only in-flight writes of unknown outcome may fail, and only a few of them.
    expect(shardFailures.length).toBeLessThanOrEqual(8);
    for (const f of shardFailures) expect(f.executed).toBe('unknown');
    expect(rec.duplicated).toBe(0);
    expect(rec.lost).toBe(0);
    expect(rec.finalTotal).toBeGreaterThanOrEqual(rec.acked);
    expect(rec.finalTotal).toBeLessThanOrEqual(rec.acked + rec.indeterminate);
    expect(summary.onlineDup + summary.onlineNoack + summary.onlineLost).toBe(0);
    // The role change was reported: the promoted replica (and the demoted master).
    expect(roleChange).toBeDefined();
    expect(roleChange!.diff.roleChanged).toContain(`127.0.0.1:${replica}`);
    expect(c.stats().moved).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
