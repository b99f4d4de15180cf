// Multi-key commands across slots: split per slot and recomposed (MGET order, DEL/EXISTS sums, MSET per slot).
import { PartialFailureError } from '../../lib/index.js';
import { withCluster } from '../support/cluster-client.js';
import { describeWithServers, redisCli } from '../support/servers.js';

describeWithServers('multi-key commands over slots', () => {
  const keys = Array.from({ length: 50 }, (_, i) => `mk:${i}`);

  it('MSET over many slots, then MGET keeps the caller order with nulls for missing keys', async () => {
    await withCluster(async (cluster) => {
      expect(new Set(keys.map((k) => cluster.keySlot(k))).size).toBeGreaterThan(10);
      expect(await cluster.mSet(keys.flatMap((k, i) => [k, `v${i}`]))).toBe('OK');
      const asked = [...keys].reverse().concat(['mk:missing']);
      expect(await cluster.mGet(asked)).toEqual([...keys.map((_, i) => `v${i}`).reverse(), null]);
    });
  });

  it('sums DEL, EXISTS, TOUCH and UNLINK across slots (never one reply per slot)', async () => {
    await withCluster(async (cluster) => {
      await cluster.mSet(keys.flatMap((k) => [k, 'x']));
      expect(await cluster.exists([...keys, 'mk:none'])).toBe(50);
      expect(await cluster.touch(keys.slice(0, 10))).toBe(10);
      expect(await cluster.del(keys.slice(0, 25))).toBe(25);
      expect(await cluster.unlink([...keys.slice(20), 'mk:none'])).toBe(25);
      expect(await cluster.exists(keys)).toBe(0);
    });
  });

  it('reports which slots of a split MSET failed, and keeps the parts that succeeded', async () => {
    await withCluster(
      async (cluster) => {
        const master = cluster.getPrimaries()[0]!;
        const victim = keys.find((k) => cluster.getNodeByKey(k)!.address === master.address)!;
        const others = keys.filter((k) => cluster.getNodeByKey(k)!.address !== master.address).slice(0, 5);
        // Writes to one master stall past the client's 300 ms deadline; the other masters answer.
        await cluster.nodeClient(master).sendCommand(['CLIENT', 'PAUSE', '1500', 'WRITE']);
        const partial = await cluster.mSet([victim, '3', ...others.flatMap((k) => [k, '3'])]).catch((e: unknown) => e);
        // Not on the client's own connection to that node: its paused MSET holds that connection's line.
        await redisCli(master.port, 'CLIENT', 'UNPAUSE');
        expect(partial).toBeInstanceOf(PartialFailureError);
        expect((partial as PartialFailureError).failures.map((f) => f.slot)).toEqual([cluster.keySlot(victim)]);
        expect(await cluster.mGet(others)).toEqual(others.map(() => '3'));
      },
      { defaults: { commandTimeout: 300 } },
    );
  });
});
