// Routing on the real 3+3 cluster: slots equal CLUSTER KEYSLOT, every key lands on its slot's master,
// node APIs, cluster info parsing, unknown commands, scripts, scan.
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import { CrossSlotError, defineScript, ReplyError } from '../../lib/index.js';
import { withCluster } from '../support/cluster-client.js';
import { describeWithServers } from '../support/servers.js';

function tricky(): Array<string | Buffer> {
  const keys: Array<string | Buffer> = ['{}', '{a}{b}', '}{a}', '{{a}}', '{', '}', '{}a', 'a{}', '{a', 'a}', 'ключ', '鍵{タグ}', '😀{emoji}', '', Buffer.from([0xff, 0x00, 0x7b, 0x41, 0x7d]), Buffer.from([0xc3, 0x28])];
  for (let i = 0; keys.length < 10_000; i++) keys.push(i % 3 === 0 ? `user:{${i % 97}}:${i}` : `key:${i}:${(i * 7919).toString(36)}`);
  return keys;
}

describeWithServers('routing on a real cluster', () => {
  it('computes the same slot as CLUSTER KEYSLOT for 10,000 keys, hash tags, unicode and binary keys', async () => {
    await withCluster(async (cluster) => {
      const keys = tricky();
      const node = cluster.nodeClient(cluster.getPrimaries()[0]!);
      const server = await Promise.all(keys.map((key) => node.sendCommand<number>(['CLUSTER', 'KEYSLOT', key])));
      const mismatches = keys.filter((key, i) => keySlot(key) !== server[i]);
      expect(mismatches).toEqual([]);
      expect(cluster.keySlot('{user1000}.following')).toBe(cluster.keySlot('{user1000}.followers'));
    });
  });

  it('stores each of 10,000 keys on the master that owns its slot', async () => {
    await withCluster(async (cluster) => {
      const keys = Array.from({ length: 10_000 }, (_, i) => `route:${i}`);
      await Promise.all(keys.map((key, i) => cluster.set(key, String(i))));
      const owners = keys.map((key) => cluster.getNodeByKey(key)!.address);
      const found = await Promise.all(keys.map((key, i) => cluster.nodeClient(owners[i]!).sendCommand<number>(['EXISTS', key])));
      expect(found.every((n) => n === 1)).toBe(true);
      expect(new Set(owners).size).toBe(3);
      expect(await cluster.del(keys)).toBe(10_000);
      expect(cluster.stats().moved).toBe(0);
    });
  });

  it('reports the topology: 3 masters, their replicas, slot owners', async () => {
    await withCluster(async (cluster) => {
      // A 7.0 replica whose replication offset is still 0 reports health "loading" and is skipped:
      // write to every shard, then wait until each replica has caught up.
      await cluster.mSet(['topo:{a}', '1', 'topo:{b}', '1', 'topo:{c}', '1', 'topo', '1']);
      while (cluster.getReplicas().length < 3) await cluster.refreshTopology();
      const masters = cluster.getPrimaries();
      expect(masters).toHaveLength(3);
      expect(cluster.getReplicas()).toHaveLength(3);
      for (const slot of [0, 5460, 5461, 16383]) expect(masters.map((m) => m.address)).toContain(cluster.getSlotMaster(slot)!.address);
      expect(cluster.getRandomNode()).toBeDefined();
      const info = await cluster.clusterInfo();
      expect(info.state).toBe('ok');
      expect(info.slotsAssigned).toBe(16384);
      expect(info.size).toBe(3);
      const nodes = await cluster.clusterNodes();
      expect(nodes.filter((n) => n.role === 'master')).toHaveLength(3);
      expect(nodes.filter((n) => n.myself)).toHaveLength(1);
      expect(nodes.flatMap((n) => n.slots).reduce((sum, [a, b]) => sum + b - a + 1, 0)).toBe(16384);
      const slot = cluster.keySlot('topo');
      expect(await cluster.countKeysInSlot(slot)).toBeGreaterThanOrEqual(1);
      expect(await cluster.getKeysInSlot(slot, 10)).toContain('topo');
      const outcomes = await cluster.executeOnNodes(masters, ['PING']);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const shards = (await cluster.clusterShards()) as unknown[];
      expect(shards).toHaveLength(3);
    });
  });

  it('answers server commands through a node client without routing', async () => {
    await withCluster(async (cluster) => {
      const master = cluster.getPrimaries()[1]!;
      const info = await cluster.nodeClient(master).info('server');
      expect(info).toContain(`tcp_port:${master.port}`);
      // A key owned elsewhere gets MOVED, which a node client does not follow.
      const foreign = Array.from({ length: 100 }, (_, i) => `foreign:${i}`).find((k) => cluster.getNodeByKey(k)!.address !== master.address)!;
      await expect(cluster.nodeClient(master).get(foreign)).rejects.toBeInstanceOf(ReplyError);
    });
  });

  it('refuses atomic cross-slot commands before sending and routes unknown commands by COMMAND GETKEYS', async () => {
    await withCluster(async (cluster) => {
      await expect(cluster.sendCommand(['RENAME', 'a', 'b'])).rejects.toBeInstanceOf(CrossSlotError);
      await expect(cluster.mSetNX(['x{1}', '1', 'x{2}', '2'])).rejects.toBeInstanceOf(CrossSlotError);
      expect(await cluster.exists(['x{1}', 'x{2}'])).toBe(0);
      const moved = cluster.stats().moved;
      // lowercase/mixed-case names are routed too
      expect(await cluster.sendCommand(['set', 'cased', 'v'])).toBe('OK');
      expect(await cluster.sendCommand(['GeT', 'cased'])).toBe('v');
      expect(cluster.stats().moved).toBe(moved);
    });
  });

  it('runs scripts with EVALSHA, falling back to EVAL on NOSCRIPT, routed by key', async () => {
    const script = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    await withCluster(
      async (cluster) => {
        const key = 'script:{s}';
        await cluster.del(key);
        await cluster.executeOnNodes(cluster.getPrimaries(), ['SCRIPT', 'FLUSH']);
        expect(await cluster.runScript(script, { keys: [key], arguments: ['5'] })).toBe(5);
        expect(await cluster.runScript('incr', { keys: [key], arguments: ['2'] })).toBe(7);
        const owner = cluster.getNodeByKey(key)!;
        expect(await cluster.nodeClient(owner).sendCommand(['SCRIPT', 'EXISTS', script.sha1])).toEqual([1]);
        await expect(cluster.runScript(script, { keys: ['a', 'b'], arguments: ['1'] })).rejects.toBeInstanceOf(CrossSlotError);
      },
      { scripts: { incr: script } },
    );
  });

  it('walks every master with scanIterator', async () => {
    await withCluster(async (cluster) => {
      const keys = Array.from({ length: 600 }, (_, i) => `scan:${i}`);
      await cluster.mSet(keys.flatMap((k) => [k, 'v']));
      const seen = new Set<string>();
      for await (const page of cluster.scanIterator({ MATCH: 'scan:*', COUNT: 50 })) for (const k of page) seen.add(k);
      expect(seen.size).toBe(600);
      expect([...seen].sort()).toEqual([...keys].sort());
      await cluster.del(keys);
    });
  });
});
