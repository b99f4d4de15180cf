// Chaos: an unserved slot (reliability.md §6 S1/S8, redis-py's real CLUSTERDOWN test). `CLUSTER DELSLOTS` takes a
// slot away, so the server answers `-CLUSTERDOWN`; a command on that slot must reject with ClusterDownError (or a
// timeout / redirection-limit error naming CLUSTERDOWN) within its deadline instead of hanging or retrying forever.
// After `CLUSTER ADDSLOTS` gives the slot back to its owner, the same client serves it again without a restart.
// Two variants: every master forgets the slot (full coverage lost: the whole cluster is down), and only the owner
// forgets it with cluster-require-full-coverage off (only that slot is down; other slots keep working).
import { ClusterDownError, CommandTimeoutError, RedirectionLimitError, type RedisCluster } from '../../../lib/index.js';
import { describeWithServers, keySlot, mastersAndReplicas, redisCli, testServers, waitForClusterOk } from '../../support/servers.js';
import { useFreshChaosCluster } from '../../support/chaos-cluster.js';
import { mainCluster, useTestClient } from '../../support/cluster-client.js';
import { report, slotIn, tagForSlot, until } from '../../support/workload.js';

const chaos = () => testServers().clusters.chaos;

/** True when `error` is, or wraps, a CLUSTERDOWN rejection. */
function namesClusterDown(error: unknown): boolean {
  if (error instanceof ClusterDownError) return true;
  if (error instanceof CommandTimeoutError || error instanceof RedirectionLimitError) {
    const cause = error.cause;
    return cause instanceof ClusterDownError || /CLUSTERDOWN/.test(error.message) || (cause instanceof Error && /CLUSTERDOWN/.test(cause.message));
  }
  return false;
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number }> {
  const started = Date.now();
  try {
    const value = await p;
    return { ok: true, value, ms: Date.now() - started };
  } catch (error) {
    return { ok: false, error, ms: Date.now() - started };
  }
}

describeWithServers('chaos: CLUSTERDOWN for an unserved slot', () => {
  useFreshChaosCluster();
  const testClient = useTestClient();

  function client(): RedisCluster {
    return testClient(mainCluster({ defaults: { commandTimeout: 1500 } }, 'chaos'));
  }

  it('DELSLOTS on every master: commands on the slot reject with CLUSTERDOWN within their deadline; ADDSLOTS on the owner brings it back', async () => {
    const topo = await mastersAndReplicas(chaos());
    const slot = slotIn(topo.shards[1]!.slots, 7);
    const owner = topo.ownerOf(slot)!;
    const key = `cd:{${tagForSlot(slot)}}`;
    expect(keySlot(key)).toBe(slot);
    const c = client();
    await c.connect();
    await c.set(key, 'before');

    for (const port of topo.masters) await redisCli(port, 'CLUSTER', 'DELSLOTS', String(slot));
    const outcome = await settle(c.get(key));
    const downBefore = c.stats().clusterDown;

    await redisCli(owner, 'CLUSTER', 'ADDSLOTS', String(slot));
    await waitForClusterOk(chaos());
    // Same client, no restart: the slot is served again (and the key is still there: DELSLOTS keeps data).
    const after = await settle(c.get(key));
    const write = await settle(c.set(key, 'after'));
    report('CLUSTERDOWN (every master)', {
      slot,
      owner,
      rejectedAfterMs: outcome.ms,
      error: outcome.ok ? undefined : `${(outcome.error as Error).name}: ${(outcome.error as Error).message}`,
      recoveredGetMs: after.ms,
      stats: c.stats(),
    });
    expect(outcome.ok).toBe(false);
    expect(namesClusterDown(outcome.ok ? undefined : outcome.error)).toBe(true);
    // Within its deadline (1500 ms), with a margin for scheduling; never a hang.
    expect(outcome.ms).toBeLessThan(1500 + 1000);
    expect(downBefore).toBeGreaterThanOrEqual(1);
    expect(after).toMatchObject({ ok: true, value: 'before' });
    expect(write).toMatchObject({ ok: true, value: 'OK' });
  }, 60_000);

  it('DELSLOTS on the owner only (full coverage not required): only that slot is down, the owner keeps serving its other slots', async () => {
    const topo = await mastersAndReplicas(chaos());
    const shard = topo.shards[2]!;
    const owner = shard.master.port;
    const slot = slotIn(shard.slots, 11);
    const key = `cd2:{${tagForSlot(slot)}}`;
    const sibling = `cd2:{${tagForSlot(slotIn(shard.slots, 12))}}`;
    for (const port of chaos().ports) await redisCli(port, 'CONFIG', 'SET', 'cluster-require-full-coverage', 'no');
    const c = client();
    await c.connect();
    await c.set(key, 'v');

    await redisCli(owner, 'CLUSTER', 'DELSLOTS', String(slot));
    await until(async () => /CLUSTERDOWN/.test(await redisCli({ port: owner, allowError: true }, 'GET', key)), 'the owner to answer CLUSTERDOWN for the slot', 5000);
    const [down, other] = await Promise.all([settle(c.get(key)), settle(c.set(sibling, 'still-served'))]);

    await redisCli(owner, 'CLUSTER', 'ADDSLOTS', String(slot));
    await waitForClusterOk(chaos());
    const back = await settle(c.get(key));
    report('CLUSTERDOWN (owner only)', {
      slot,
      owner,
      rejectedAfterMs: down.ms,
      error: down.ok ? undefined : `${(down.error as Error).name}: ${(down.error as Error).message}`,
      otherSlotMs: other.ms,
      stats: c.stats(),
    });
    expect(down.ok).toBe(false);
    expect(namesClusterDown(down.ok ? undefined : down.error)).toBe(true);
    expect(down.ms).toBeLessThan(1500 + 1000);
    expect(other).toMatchObject({ ok: true, value: 'OK' });
    expect(back).toMatchObject({ ok: true, value: 'v' });
  }, 60_000);
});
