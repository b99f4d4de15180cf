// Nodes the cluster lists but that serve nothing (17b, 17c): a replica reported `loading` is
// confirmed with ROLE and re-checked within seconds (not at the next periodic refresh), and is
// listed by health as loading meanwhile; a failed node stays listed (down) while the cluster lists it.
import { createCluster, type RedisCluster } from '../../lib/index.js';
import { parseClusterShards } from '../../lib/engine/cluster/topology-parse.js';
import { FakeRedisServer } from './fake-redis-server.js';
import * as F from './resp-frames.js';

let a: FakeRedisServer;
let b: FakeRedisServer;
let c: FakeRedisServer;
let client: RedisCluster | undefined;
let deadPort = 0;

beforeEach(async () => {
  a = await FakeRedisServer.start();
  b = await FakeRedisServer.start();
  c = await FakeRedisServer.start();
  const dead = await FakeRedisServer.start();
  deadPort = dead.port;
  await dead.close();
  const table = [
    { start: 0, end: 8191, master: { host: '127.0.0.1', port: a.port }, replicas: [{ host: '127.0.0.1', port: c.port, health: 'loading' as const, replicationOffset: 0 }] },
    { start: 8192, end: 16383, master: { host: '127.0.0.1', port: b.port }, replicas: [{ host: '127.0.0.1', port: deadPort, health: 'failed' as const }] },
  ];
  for (const node of [a, b, c]) node.setSlots(table);
});

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await Promise.all([a.close(), b.close(), c.close()]);
});

function roleReply(state: string): Buffer {
  return F.array([F.bulk('slave'), F.bulk('127.0.0.1'), F.integer(a.port), F.bulk(state), F.integer(0)]);
}

describe('loading and failed nodes', () => {
  it('a loading replica whose link is not up yet is listed as loading, then used after a re-check within seconds', async () => {
    let state = 'connecting';
    c.on('ROLE', () => roleReply(state));
    for (const node of [a, b]) node.on('CLUSTER INFO', () => F.bulk('cluster_state:ok\r\n'));
    client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${a.port}` }], useReplicas: true, topologyRefreshInterval: 60_000 });
    client.on('error', () => undefined);
    client.on('node-error', () => undefined);
    await client.connect();
    expect(client.getReplicas()).toEqual([]);
    expect(client.getUnavailableNodes().map((n) => [n.port, n.health])).toEqual([
      [c.port, 'loading'],
      [deadPort, 'failed'],
    ]);
    const report = await client.healthReport({ timeoutMs: 1000 });
    expect(report.status).toBe('degraded');
    expect(report.nodes.map((n) => [n.address, n.status])).toEqual(
      expect.arrayContaining([
        [`127.0.0.1:${c.port}`, 'loading'],
        [`127.0.0.1:${deadPort}`, 'down'],
        [`127.0.0.1:${a.port}`, 'up'],
        [`127.0.0.1:${b.port}`, 'up'],
      ]),
    );
    expect(report.nodes).toHaveLength(4);
    // Its link comes up: the next re-check (1 s after the last load, not the 60 s periodic refresh) uses it.
    state = 'connected';
    const changed = new Promise<void>((resolve) => client!.on('topology-change', () => resolve()));
    await changed;
    expect(client.getReplicas().map((r) => r.port)).toEqual([c.port]);
    const after = await client.healthReport({ timeoutMs: 1000 });
    expect(after.nodes.find((n) => n.address === `127.0.0.1:${c.port}`)?.status).toBe('up');
    // The failed one is still listed while the cluster lists it.
    expect(after.nodes.find((n) => n.address === `127.0.0.1:${deadPort}`)?.status).toBe('down');
  });

  it('a replica Redis 7.0 reports as loading with offset 0 but whose ROLE says connected is used at once', async () => {
    c.on('ROLE', () => roleReply('connected'));
    client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${a.port}` }], useReplicas: true });
    client.on('error', () => undefined);
    client.on('node-error', () => undefined);
    await client.connect();
    expect(client.getReplicas().map((r) => r.port)).toEqual([c.port]);
    expect(client.getUnavailableNodes().map((n) => n.port)).toEqual([deadPort]);
  });
});

describe('parseClusterShards keeps what it does not route to', () => {
  it('a dead former master (failed, no slots) is an unavailable node, not a shard', () => {
    const node = (fields: Record<string, string | number>) => Object.assign(Object.create(null) as Record<string, string | number>, fields);
    const t = parseClusterShards(
      [
        { slots: [0, 16383], nodes: [node({ id: 'n', port: 7003, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' })] },
        { slots: [], nodes: [node({ id: 'o', port: 7000, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'fail' })] },
      ],
      { answeringHost: '127.0.0.1', tls: false, mapAddress: (host, port) => ({ host, port }) },
    );
    expect(t.masters.map((m) => m.port)).toEqual([7003]);
    expect(t.nodes.has('127.0.0.1:7000')).toBe(false);
    expect(t.unavailable).toEqual([expect.objectContaining({ address: '127.0.0.1:7000', role: 'master', health: 'failed' })]);
  });
});
