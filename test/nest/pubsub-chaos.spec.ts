/**
 * On the CHAOS cluster (30101–30106): a live reshard of the slot of an `@OnShardedMessage`
 * channel. The handler keeps receiving, the move is logged with the gap, and it reaches the
 * RedisClusterEvents stream. The cluster is reset afterwards.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Subscription } from 'rxjs';
import {
  OnShardedMessage,
  RedisClusterModule,
  getClusterEventsToken,
  getClusterToken,
  keySlot,
  type RedisCluster,
  type RedisClusterEvent,
  type RedisClusterEvents,
} from 'nest-redis-cluster';
import { describeWithServers, mastersAndReplicas, migrateSlot, redisCli, resetCluster, testServers } from '../support/servers.js';
import { lockChaosCluster } from '../support/workload.js';
import { chaosRootNodes, closeAndExpectNoLeaks, eventually, tracked, uniqueNamespace } from './support/nest-test.helpers.js';
import { CapturingLogger } from './support/capturing-logger.js';

const run = uniqueNamespace('nest-move');
const channel = `${run}:{${run}}`;

@Injectable()
class OrdersListener {
  readonly got: string[] = [];

  @OnShardedMessage(channel, { cluster: 'chaos' })
  onOrder(message: string): void {
    this.got.push(message);
  }
}

describeWithServers('sharded-channel-moved in a Nest app (chaos cluster)', () => {
  const chaos = () => testServers().clusters.chaos;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await lockChaosCluster();
    await resetCluster(chaos());
  }, 180_000);

  afterAll(async () => {
    try {
      await resetCluster(chaos());
    } finally {
      release?.();
    }
  }, 180_000);

  it('a live reshard of the channel slot: the handler keeps receiving, the move is logged with its gap and offered on the stream', tracked(async (tracker) => {
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [RedisClusterModule.forRoot({ name: 'chaos', rootNodes: chaosRootNodes(), defaults: { commandTimeout: 2000 } })],
      providers: [OrdersListener],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    const cluster = app.get<RedisCluster>(getClusterToken('chaos'));
    const events = app.get<RedisClusterEvents>(getClusterEventsToken('chaos'));
    const moves: RedisClusterEvent[] = [];
    const subscription: Subscription = events.on('sharded-channel-moved').subscribe((event) => moves.push(event));
    const listener = app.get(OrdersListener);
    try {
      const slot = keySlot(channel);
      const topology = await mastersAndReplicas(chaos());
      const owner = topology.ownerOf(slot)!;
      const target = topology.masters.find((port) => port !== owner)!;
      expect(cluster.subscriptions().shardChannels[channel]).toBe(`127.0.0.1:${owner}`);
      await cluster.sPublish(channel, 'before');
      await eventually(() => listener.got.includes('before'), 5000, 'the message before the move');

      await migrateSlot(chaos(), slot, owner, target);
      await eventually(
        () => moves.length >= 1 && cluster.subscriptions().shardChannels[channel] === `127.0.0.1:${target}`,
        10_000,
        'the subscription to move to the new owner',
      );
      expect(moves[0]).toMatchObject({
        type: 'sharded-channel-moved',
        cluster: 'chaos',
        channel,
        from: `127.0.0.1:${owner}`,
        to: `127.0.0.1:${target}`,
        unsubscribedMs: expect.any(Number),
        reason: expect.stringMatching(/^(server-unsubscribe|moved|topology-change)$/),
      });
      const moved = logger.lines.filter((line) => line.level === 'warn' && line.message.includes('sharded channel'));
      expect(moved[0]!.message).toMatch(
        new RegExp(`^Redis cluster "chaos": a sharded channel of slot ${slot} moved from 127\\.0\\.0\\.1:${owner} to 127\\.0\\.0\\.1:${target} \\(.+\\); it was not subscribed for \\d+ ms`),
      );

      // Still subscribed: through the client (routed to the new owner) and directly on the new owner.
      await cluster.sPublish(channel, 'after');
      await redisCli(target, 'SPUBLISH', channel, 'direct');
      await eventually(() => listener.got.includes('after') && listener.got.includes('direct'), 10_000, 'the messages after the move');
      expect(listener.got).toEqual(['before', 'after', 'direct']);
    } finally {
      subscription.unsubscribe();
      await closeAndExpectNoLeaks(app, tracker);
    }
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  }), 60_000);
});
