// Chaos: nodeAddressMap through TCP proxies (the redis-py NodeProxy idea; reliability.md §5). One in-process proxy
// per chaos node on an ephemeral port; the client gets only a proxy as root node and a nodeAddressMap from every
// announced `127.0.0.1:3010x` to its proxy. Asserts that every socket of the client goes through a proxy (each
// client connection the servers see, in CLIENT LIST by connection name, comes from a proxy's upstream socket, and
// the masters' proxies carried connections), that commands on every shard succeed, and that the target of a MOVED
// (caused by moving a slot behind the client's back) is mapped too.
import { createCluster } from '../../../lib/index.js';
import { describeWithServers, keySlot, mastersAndReplicas, migrateSlot, redisCli, testServers } from '../../support/servers.js';
import { useFreshChaosCluster } from '../../support/chaos-cluster.js';
import { useTestClient } from '../../support/cluster-client.js';
import { startProxies, type TcpProxy } from '../../support/tcp-proxy.js';
import { report, slotIn, tagForSlot, tagsPerShard, until } from '../../support/workload.js';

const chaos = () => testServers().clusters.chaos;

/** `addr` of every connection named `name` on the node at `port`. */
async function namedClientAddrs(port: number, name: string): Promise<string[]> {
  const list = await redisCli(port, 'CLIENT', 'LIST');
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /(?:^| )addr=(\S+)/.exec(line)![1]!);
}

describeWithServers('chaos: nodeAddressMap through TCP proxies', () => {
  useFreshChaosCluster();
  const testClient = useTestClient();
  let proxies: TcpProxy[] = [];

  afterEach(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    proxies = [];
  });

  it('dials every node, including a MOVED target, through its proxy only', async () => {
    const ports = chaos().ports;
    proxies = await startProxies(ports.map((port) => ({ host: '127.0.0.1', port })));
    const proxyOf = new Map(ports.map((port, i) => [port, proxies[i]!]));
    const nodeAddressMap = Object.fromEntries(ports.map((port) => [`127.0.0.1:${port}`, { host: '127.0.0.1', port: proxyOf.get(port)!.port }]));
    const name = `nrc-proxy-${process.pid}`;
    const c = testClient(createCluster({
      rootNodes: [{ url: `redis://127.0.0.1:${proxies[0]!.port}` }],
      nodeAddressMap,
      defaults: { name, commandTimeout: 2000 },
    }));
    c.on('error', () => undefined);
    c.on('node-error', () => undefined);
    await c.connect();

    const proxyAddresses = new Set(proxies.map((p) => p.address));
    const topo = await mastersAndReplicas(chaos());
    expect(c.getPrimaries().map((m) => m.address).sort()).toEqual(topo.masters.map((p) => proxyOf.get(p)!.address).sort());
    for (const node of [...c.getPrimaries(), ...c.getReplicas()]) expect(proxyAddresses.has(node.address)).toBe(true);

    // Commands on every shard.
    const tags = tagsPerShard(topo, 3, 'px');
    const keys = [...tags.values()].flat().map((tag) => `px:{${tag}}`);
    await Promise.all(keys.map((key) => c.set(key, `${key}#1`)));
    expect(await Promise.all(keys.map((key) => c.get(key)))).toEqual(keys.map((key) => `${key}#1`));
    for (const master of topo.masters) expect(proxyOf.get(master)!.accepted).toBeGreaterThan(0);

    // A MOVED to a node: move a slot behind the client's back; the MOVED names 127.0.0.1:<port>, which must be mapped.
    const slotOwner = topo.masters[0]!;
    const slotTarget = topo.masters[1]!;
    const slot = slotIn(topo.shards.find((s) => s.master.port === slotOwner)!.slots, 3);
    const movedKey = `px:moved:{${tagForSlot(slot)}}`;
    expect(keySlot(movedKey)).toBe(slot);
    await c.set(movedKey, 'here');
    const targetProxy = proxyOf.get(slotTarget)!;
    await migrateSlot(chaos(), slot, slotOwner, slotTarget);
    const movedBefore = c.stats().moved;
    expect(await c.get(movedKey)).toBe('here');
    expect(await c.set(movedKey, 'there')).toBe('OK');
    expect(c.stats().moved).toBeGreaterThan(movedBefore);
    // The refresh that follows the MOVED maps the new owner too.
    await until(() => c.getSlotMaster(slot)?.address === targetProxy.address, 'the slot to be routed to the target proxy', 5000);

    // No node was ever dialled directly: every connection the servers see with our name comes from a proxy.
    const upstream = new Set(proxies.flatMap((p) => [...p.upstreamAddresses]));
    const seen: Record<number, string[]> = {};
    for (const port of ports) {
      seen[port] = await namedClientAddrs(port, name);
      for (const addr of seen[port]) expect(upstream.has(addr)).toBe(true);
      expect(c.node(`127.0.0.1:${port}`)).toBeUndefined();
    }
    for (const master of topo.masters) expect(seen[master]!.length).toBeGreaterThan(0);
    report('nodeAddressMap via proxies', {
      accepted: Object.fromEntries(ports.map((p) => [p, proxyOf.get(p)!.accepted])),
      serverSideConnections: Object.fromEntries(Object.entries(seen).map(([p, a]) => [p, a.length])),
      stats: c.stats(),
    });

    await migrateSlot(chaos(), slot, slotTarget, slotOwner);
    expect(await c.get(movedKey)).toBe('there');
  }, 60_000);
});
