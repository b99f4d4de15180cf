// Replica reads and blocking commands, on the main cluster (non-destructive, no chaos lock needed).
//  - useReplicas: a GET is served by the replica of the key's shard (its INFO commandstats cmdstat_get grows by at
//    least the number of GETs, and CLIENT LIST shows our READONLY connection there running GET), while writes still
//    go to the master (no MOVED, the master sees our SET).
//  - A BLPOP with a 2 s timeout leases a dedicated connection: 1,000 GET/SET to the same node, issued while it is
//    blocked, all complete before it returns; then an LPUSH from another call wakes it with the pushed element.
//  - WAIT means what it says: waitReplicas(key, 1, t) runs on the connection that carried the write, so with the
//    key's replica frozen (SIGSTOP) it answers 0 once t elapsed, and 1 once the replica runs again; the same inside
//    a pipeline; a keyless WAIT through sendCommand is refused.
import type { RedisCluster } from '../../../lib/index.js';
import { UnsupportedCommandError } from '../../../lib/index.js';
import { mainCluster, useTestClient } from '../../support/cluster-client.js';
import { describeWithServers, keySlot, mastersAndReplicas, nodeCommand, pauseNode, redisCli, resumeNode, testServers } from '../../support/servers.js';
import { report, slotIn, tagForSlot, until } from '../../support/workload.js';

const main = () => testServers().clusters.main;

/** CLIENT LIST lines of connections named `name` on `port`, as field maps. */
async function namedClients(port: number, name: string): Promise<Array<Record<string, string>>> {
  const list = String(await nodeCommand(port, 'CLIENT', 'LIST'));
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => Object.fromEntries(line.trim().split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

async function getCalls(port: number): Promise<number> {
  const info = await redisCli(port, 'INFO', 'commandstats');
  const m = /cmdstat_get:calls=(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

describeWithServers('replica reads and blocking commands (main cluster)', () => {
  const testClient = useTestClient();

  function client(name: string, useReplicas: boolean): RedisCluster {
    return testClient(mainCluster({ useReplicas, defaults: { name } }));
  }

  it('useReplicas: GETs are served by the replica, writes by the master', async () => {
    const name = `nrc-replica-${process.pid}`;
    const topo = await mastersAndReplicas(main());
    const master = topo.masters[1]!;
    const replica = topo.replicaOf(master)!;
    const slot = slotIn(topo.shards.find((s) => s.master.port === master)!.slots, 5);
    const key = `rr:${process.pid}:{${tagForSlot(slot)}}`;
    expect(keySlot(key)).toBe(slot);
    const c = client(name, true);
    await c.connect();
    expect(await c.set(key, 'v1')).toBe('OK');
    // The replica has the write before we read (WAIT after it, on the connection that carried it), and the client
    // knows the replica (a 7.0 replica that has replicated nothing yet is reported "loading" and left out).
    expect(await c.waitReplicas(key, 1, 2000)).toBe(1);
    await until(async () => {
      await c.refreshTopology();
      return c.getReplicas().some((r) => r.port === replica);
    }, 'the client to know the replica', 10_000, 100);

    const replicaBefore = await getCalls(replica);
    const N = 200;
    const values = await Promise.all(Array.from({ length: N }, () => c.get(key)));
    const replicaAfter = await getCalls(replica);
    expect(values.every((v) => v === 'v1')).toBe(true);
    expect(replicaAfter - replicaBefore).toBeGreaterThanOrEqual(N);
    const onReplica = await namedClients(replica, name);
    expect(onReplica.some((cl) => cl['flags']!.includes('r') && cl['cmd'] === 'get')).toBe(true);

    // Writes go to the master: no MOVED (a replica would redirect), and the master ran our SET last.
    expect(await c.set(key, 'v2')).toBe('OK');
    expect(c.stats().moved).toBe(0);
    const onMaster = await namedClients(master, name);
    expect(onMaster.some((cl) => cl['cmd'] === 'set')).toBe(true);
    expect(onMaster.every((cl) => cl['cmd'] !== 'get')).toBe(true);
    await until(async () => (await c.get(key)) === 'v2', 'the replica to serve the new value', 5000);
    report('replica reads', { master, replica, gets: N, cmdstatGetDelta: replicaAfter - replicaBefore });
    await c.del(key);
  }, 30_000);

  it('a blocked BLPOP does not stall 1,000 GET/SET to the same node, and an LPUSH wakes it', async () => {
    const name = `nrc-block-${process.pid}`;
    const tag = `bl${process.pid}`;
    const list = `q:{${tag}}`;
    const c = client(name, false);
    await c.connect();
    const node = c.getNodeByKey(list)!.port;
    await c.del(list);

    const started = Date.now();
    let poppedAt: number | undefined;
    const pop = c.blPop(list, 2).then((v) => {
      poppedAt = Date.now();
      return v;
    });
    // Wait until the BLPOP is really blocked on the server.
    await until(async () => (await namedClients(node, name)).some((cl) => cl['cmd'] === 'blpop' && cl['flags']!.includes('b')), 'BLPOP to block', 2000, 10);

    const opsStarted = Date.now();
    const ops = Array.from({ length: 1000 }, (_, i) => {
      const key = `k${i % 50}:{${tag}}`;
      return i % 2 === 0 ? c.set(key, `${key}#${i}`) : c.get(key);
    });
    const results = await Promise.all(ops);
    const opsDone = Date.now();
    expect(results.filter((r, i) => i % 2 === 0 && r !== 'OK')).toEqual([]);
    // Every one of them completed while the BLPOP was still blocked.
    expect(poppedAt).toBeUndefined();

    await c.sendCommand(['LPUSH', list, 'wake']);
    expect(await pop).toEqual({ key: list, element: 'wake' });
    report('BLPOP vs 1,000 commands', { opsMs: opsDone - opsStarted, blpopSettledAfterMs: poppedAt! - started });
    expect(poppedAt! - started).toBeLessThan(2000);
    await c.del([list, ...Array.from({ length: 50 }, (_, i) => `k${i}:{${tag}}`)]);
  }, 30_000);

  it('WAIT counts the replicas that acknowledged the writes before it: 0 with the replica frozen, 1 after', async () => {
    const topo = await mastersAndReplicas(main());
    const master = topo.masters[2]!;
    const replica = topo.replicaOf(master)!;
    const slot = slotIn(topo.shards.find((s) => s.master.port === master)!.slots, 11);
    const key = `wait:${process.pid}:{${tagForSlot(slot)}}`;
    const c = client(`nrc-wait-${process.pid}`, false);
    await c.connect();
    expect(c.getNodeByKey(key)!.port).toBe(master);

    expect(await c.set(key, 'a')).toBe('OK');
    expect(await c.waitReplicas(key, 1, 2000)).toBe(1);

    await pauseNode(replica);
    let frozen: number[];
    let piped: unknown[];
    try {
      expect(await c.set(key, 'b')).toBe('OK');
      // The write cannot reach the frozen replica: WAIT gives up after its 200 ms with 0 (a WAIT on a connection
      // that wrote nothing, as before, answers 1 at once).
      const waitStarted = performance.now();
      frozen = [await c.waitReplicas(key, 1, 200)];
      // The server really waited its 200 ms (a lower bound, never flaky): a WAIT answered at once would
      // mean it ran where no write was pending.
      expect(performance.now() - waitStarted).toBeGreaterThanOrEqual(195);
      const outcomes = await c.pipeline().set(key, 'c').waitReplicas(key, 1, 200).exec();
      piped = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason));
    } finally {
      await resumeNode(replica);
    }
    expect(frozen).toEqual([0]);
    expect(piped).toEqual(['OK', 0]);
    // Running again, the replica catches up and acknowledges: the same WAIT now reaches it.
    expect(await c.waitReplicas(key, 1, 5000)).toBe(1);

    await expect(c.sendCommand(['WAIT', 1, 100])).rejects.toBeInstanceOf(UnsupportedCommandError);
    await expect(c.waitReplicas(key, 1, 0)).rejects.toMatchObject({ code: 'ERR_REDIS_ARGUMENT', position: 2 });
    await c.del(key);
  }, 30_000);
});
