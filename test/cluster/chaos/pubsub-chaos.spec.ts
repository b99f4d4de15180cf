// Chaos: pub/sub through cluster changes (protocol-notes.md §3).
//  - Sharded: a channel SSUBSCRIBEd on its slot owner survives a live reshard of its slot (the server sends an
//    unsolicited `sunsubscribe`; the client must emit `sharded-channel-moved` and resubscribe on the new owner) and
//    then a `CLUSTER FAILOVER` of the new owner (again `sunsubscribe` from the demoted master). Messages SPUBLISHed
//    after each change arrive, exactly once.
//  - Classic: the node carrying the SUBSCRIBE connection is killed (kill -9; if it was a master the replica is
//    promoted first); the subscription moves to a live node and messages PUBLISHed afterwards, through the client or
//    redis-cli on another node, arrive. The node is restarted at the end.
import { createCluster, type RedisCluster, type ShardedChannelMoved } from '../../../lib/index.js';
import {
  describeWithServers,
  failover,
  isNodeAlive,
  keySlot,
  killNode,
  mastersAndReplicas,
  migrateSlot,
  redisCli,
  resetCluster,
  restartNode,
  testServers,
  waitForClusterOk,
  waitForFailoverAfterKill,
} from '../../support/servers.js';
import { lockChaosCluster, report, until } from '../../support/workload.js';

const chaos = () => testServers().clusters.chaos;
const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

describeWithServers('chaos: pub/sub through reshards, failovers and node loss', () => {
  let release: (() => void) | undefined;
  let cluster: RedisCluster | undefined;

  beforeAll(async () => {
    release = await lockChaosCluster();
    // A fresh chaos cluster for every file: earlier files kill, restart and reshard its nodes.
    await resetCluster(chaos(), { recreate: true });
  }, 180_000);

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  afterAll(async () => {
    try {
      await resetCluster(chaos());
    } finally {
      release?.();
    }
  }, 180_000);

  function client(): RedisCluster {
    const c = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${chaos().ports[0]}` }], defaults: { commandTimeout: 2000 } });
    c.on('error', () => undefined);
    c.on('node-error', () => undefined);
    return c;
  }

  it('a sharded subscription follows its slot to another master and then to the promoted replica', async () => {
    const channel = 'orders:{eu}';
    const slot = keySlot(channel);
    const topo = await mastersAndReplicas(chaos());
    const owner = topo.ownerOf(slot)!;
    const target = topo.masters.find((p) => p !== owner)!;
    const c = (cluster = client());
    const moves: Array<{ channel: string; info: ShardedChannelMoved }> = [];
    c.on('sharded-channel-moved', (ch, info) => moves.push({ channel: ch, info }));
    const got: string[] = [];
    await c.sSubscribe(channel, (message) => got.push(message));
    expect(c.subscriptions().shardChannels[channel]).toBe(`127.0.0.1:${owner}`);
    await c.sPublish(channel, 'm0');
    await until(() => got.includes('m0'), 'm0');

    // 1. Live reshard of the channel's slot: the old owner sends sunsubscribe at SETSLOT NODE.
    await migrateSlot(chaos(), slot, owner, target);
    await until(() => moves.length >= 1 && c.subscriptions().shardChannels[channel] === `127.0.0.1:${target}`, 'the channel to move to the new owner', 10_000);
    const afterReshard = moves[0]!.info;
    expect(moves[0]!.channel).toBe(channel);
    expect(afterReshard.to).toBe(`127.0.0.1:${target}`);
    expect(afterReshard.from).toBe(`127.0.0.1:${owner}`);
    // Published after the move, through the client (MOVED to the new owner) and directly on the new owner.
    await c.sPublish(channel, 'm1');
    await redisCli(target, 'SPUBLISH', channel, 'm2');
    await until(() => got.includes('m1') && got.includes('m2'), 'm1 and m2 after the reshard', 10_000);

    // 2. Fail over the new owner: the demoted master drops its sharded subscribers (sunsubscribe) too.
    const replica = (await mastersAndReplicas(chaos())).replicaOf(target)!;
    await failover(replica);
    // On the promoted replica, even when the refresh that follows the sunsubscribe is answered by a node that has not
    // heard of the failover yet (engine-bugs.spec.ts #5: the engine used to stay on the demoted master then).
    await until(() => moves.length >= 2 && c.subscriptions().shardChannels[channel] === `127.0.0.1:${replica}`, 'the channel to move to the promoted replica', 10_000);
    const afterFailover = moves[moves.length - 1]!.info;
    expect(afterFailover.to).toBe(`127.0.0.1:${replica}`);
    await c.sPublish(channel, 'm3');
    await redisCli(replica, 'SPUBLISH', channel, 'm4');
    await until(() => got.includes('m3') && got.includes('m4'), 'm3 and m4 after the failover', 10_000);
    report('sharded pub/sub through reshard + failover', {
      owner,
      target,
      promoted: replica,
      moves: moves.map((m) => m.info),
      got,
    });
    // Exactly once each, in order.
    expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  }, 60_000);

  it('a classic subscription moves off a killed node and keeps receiving', async () => {
    const channel = 'chaos-news';
    const c = (cluster = client());
    const got: string[] = [];
    await c.subscribe(channel, (message) => got.push(message));
    const before = c.subscriptions().classicNode!;
    const killed = portOf(before);
    const topo = await mastersAndReplicas(chaos());
    const wasMaster = topo.masters.includes(killed);
    const other = chaos().ports.find((p) => p !== killed)!;
    await redisCli(other, 'PUBLISH', channel, 'p0');
    await until(() => got.includes('p0'), 'p0');

    const killAt = Date.now();
    await killNode(killed);
    let promoted: number | undefined;
    if (wasMaster) promoted = await waitForFailoverAfterKill(killed);
    // The subscription is re-established on a live node (checked on that node: PUBSUB NUMSUB counts local subscribers).
    const now = await until(async () => {
      const node = c.subscriptions().classicNode;
      if (!node || node === before || !(await isNodeAlive(portOf(node)))) return undefined;
      const numsub = (await redisCli(portOf(node), 'PUBSUB', 'NUMSUB', channel)).split('\n');
      return numsub[1] === '1' ? node : undefined;
    }, 'the classic subscription to move to a live node', 20_000, 50);
    const movedAfterMs = Date.now() - killAt;
    const publisher = chaos().ports.find((p) => p !== killed && p !== portOf(now))!;
    await redisCli(publisher, 'PUBLISH', channel, 'p1');
    await c.publish(channel, 'p2');
    await until(() => got.includes('p1') && got.includes('p2'), 'p1 and p2 after the kill', 10_000);
    report('classic pub/sub through node loss', { killed, wasMaster, promoted, from: before, to: now, movedAfterMs, got });
    expect(got).toEqual(['p0', 'p1', 'p2']);

    await restartNode(killed);
    await waitForClusterOk(chaos());
  }, 90_000);
});
