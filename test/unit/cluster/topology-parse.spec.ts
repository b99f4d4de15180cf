import { parseClusterShards, parseClusterSlots, type ParseContext } from '../../../lib/engine/cluster/topology-parse.js';
import { Topology, SLOT_COUNT } from '../../../lib/engine/cluster/topology.js';
import { ProtocolError } from '../../../lib/engine/errors/base.error.js';

const ctx: ParseContext = { answeringHost: '10.0.0.9', tls: false, mapAddress: (host, port) => ({ host, port }) };

function node(fields: Record<string, string | number>): Record<string, string | number> {
  return Object.assign(Object.create(null) as Record<string, string | number>, fields);
}

describe('parseClusterShards', () => {
  const resp3 = [
    { slots: [0, 5460], nodes: [node({ id: 'a', port: 7000, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', 'replication-offset': 10, health: 'online' }), node({ id: 'b', port: 7003, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'replica', 'replication-offset': 10, health: 'online' })] },
    { slots: [5461, 10922], nodes: [node({ id: 'c', port: 7001, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' }), node({ id: 'd', port: 7004, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'replica', health: 'loading' })] },
    { slots: [10923, 16383], nodes: [node({ id: 'e', port: 7002, ip: '127.0.0.1', endpoint: '127.0.0.1', hostname: 'node-e.local', role: 'master', health: 'online' }), node({ id: 'f', port: 7005, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'replica', health: 'fail' })] },
    { slots: [], nodes: [node({ id: 'g', port: 7006, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' })] },
  ];

  it('builds shards from RESP3 maps, skipping loading/failed replicas, keeping slotless masters', () => {
    const t = parseClusterShards(resp3, ctx);
    expect(t.shards).toHaveLength(4);
    expect(t.masters.map((m) => m.port)).toEqual([7000, 7001, 7002, 7006]);
    expect(t.fullyCovered).toBe(true);
    expect(t.shardOf(0)!.master.address).toBe('127.0.0.1:7000');
    expect(t.shardOf(0)!.replicas.map((r) => r.address)).toEqual(['127.0.0.1:7003']);
    expect(t.shardOf(6000)!.replicas).toEqual([]);
    expect(t.shardOf(16383)!.replicas).toEqual([]);
    expect(t.shardOf(16383)!.master.hostname).toBe('node-e.local');
    expect(t.shards[3]!.ranges).toEqual([]);
    const failedSlotless = parseClusterShards([...resp3, { slots: [], nodes: [node({ id: 'h', port: 7007, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'fail' })] }], ctx);
    expect(failedSlotless.nodes.has('127.0.0.1:7007')).toBe(false);
  });

  it('lists a dead former master shown next to the promoted one in the same shard (Redis 8), whatever the order', () => {
    const dead = node({ id: 'x', port: 7010, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'fail' });
    const promoted = node({ id: 'y', port: 7011, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' });
    for (const nodes of [[dead, promoted], [promoted, dead]]) {
      const t = parseClusterShards([{ slots: [0, 16383], nodes }], ctx);
      expect(t.shardOf(0)!.master.address).toBe('127.0.0.1:7011');
      expect(t.shardOf(0)!.master.health).toBeUndefined();
      expect(t.unavailable.map((n) => [n.address, n.health])).toEqual([['127.0.0.1:7010', 'failed']]);
    }
    // Alone in its shard (no failover yet), a failed master keeps its slots and is routed to.
    const alone = parseClusterShards([{ slots: [0, 16383], nodes: [dead] }], ctx);
    expect(alone.shardOf(0)!.master.address).toBe('127.0.0.1:7010');
    expect(alone.shardOf(0)!.master.health).toBeUndefined();
  });

  it('accepts the RESP2 flat key/value form', () => {
    const flat = resp3.map((shard) => ['slots', shard.slots, 'nodes', shard.nodes.map((n) => Object.entries(n).flat())]);
    const t = parseClusterShards(flat as never, ctx);
    expect(t.signature()).toBe(parseClusterShards(resp3, ctx).signature());
  });

  it('uses the answering host for empty endpoints and the ip for "?"', () => {
    const t = parseClusterShards(
      [
        { slots: [0, 100], nodes: [node({ port: 7000, ip: '127.0.0.5', endpoint: '', role: 'master', health: 'online' })] },
        { slots: [101, 200], nodes: [node({ port: 7001, ip: '127.0.0.6', endpoint: '?', role: 'master', health: 'online' })] },
      ],
      ctx,
    );
    expect(t.shardOf(0)!.master.address).toBe('10.0.0.9:7000');
    expect(t.shardOf(150)!.master.address).toBe('127.0.0.6:7001');
    expect(t.coveredSlots).toBe(201);
    expect(t.fullyCovered).toBe(false);
  });

  it('prefers tls-port when connecting with TLS and applies the address map', () => {
    const t = parseClusterShards([{ slots: [0, 16383], nodes: [node({ port: 7000, 'tls-port': 8000, endpoint: 'localhost', role: 'master', health: 'online' })] }], {
      ...ctx,
      tls: true,
      mapAddress: (host, port) => (port === 8000 ? { host: 'proxy', port: 9000 } : { host, port }),
    });
    expect(t.masters[0]!.address).toBe('proxy:9000');
  });

  it('rejects malformed shapes with ProtocolError', () => {
    expect(() => parseClusterShards('nope', ctx)).toThrow(ProtocolError);
    expect(() => parseClusterShards([{ slots: [0, 99999], nodes: [] }], ctx)).toThrow(ProtocolError);
    expect(() => parseClusterShards([{ nodes: [] }], ctx)).toThrow(ProtocolError);
  });
});

describe('parseClusterSlots', () => {
  it('merges the ranges of one master and keeps replicas', () => {
    const t = parseClusterSlots(
      [
        [0, 100, ['127.0.0.1', 7000, 'a', []], ['127.0.0.1', 7003, 'b', []]],
        [200, 300, ['127.0.0.1', 7000, 'a', []]],
        [101, 199, [null, 7001, 'c', ['ip', '127.0.0.7']]],
        [301, 16383, ['?', 7002, 'e', ['ip', '127.0.0.8']]],
      ] as never,
      ctx,
    );
    expect(t.shards).toHaveLength(3);
    expect(t.shardOf(250)!.master.address).toBe('127.0.0.1:7000');
    expect(t.shardOf(150)!.master.address).toBe('10.0.0.9:7001');
    expect(t.shardOf(16000)!.master.address).toBe('127.0.0.8:7002');
    expect(t.fullyCovered).toBe(true);
  });
});

describe('Topology', () => {
  const t = new Topology([
    { master: { address: 'a:1', host: 'a', port: 1, role: 'master' }, replicas: [], ranges: [[0, 8191]] },
    { master: { address: 'b:1', host: 'b', port: 1, role: 'master' }, replicas: [], ranges: [[8192, SLOT_COUNT - 1]] },
  ]);

  it('moves one slot to a known master without touching the original', () => {
    const moved = t.withSlotMoved(100, 'b:1')!;
    expect(moved.shardOf(100)!.master.address).toBe('b:1');
    expect(moved.shardOf(99)!.master.address).toBe('a:1');
    expect(moved.shardOf(101)!.master.address).toBe('a:1');
    expect(t.shardOf(100)!.master.address).toBe('a:1');
    expect(moved.fullyCovered).toBe(true);
  });

  it('adds a master it did not know (a promoted replica) for the moved slot, and returns itself when nothing changes', () => {
    const moved = t.withSlotMoved(100, 'c:1')!;
    expect(moved.shardOf(100)!.master).toMatchObject({ address: 'c:1', host: 'c', port: 1, role: 'master' });
    expect(moved.shardOf(99)!.master.address).toBe('a:1');
    expect(moved.fullyCovered).toBe(true);
    expect(t.withSlotMoved(100, 'nonsense')).toBeUndefined();
    expect(t.withSlotMoved(100, 'a:1')).toBe(t);
  });
});
