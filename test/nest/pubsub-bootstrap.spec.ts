/**
 * A decorated handler whose subscription fails at bootstrap (finding 19): app.init() rejects with
 * PubSubBootstrapError unless the decorator says { optional: true }; an optional one is retried in the
 * background, health says `degraded` meanwhile, and it is subscribed once the server allows it. The refusal
 * comes from an ACL user of the main cluster allowed only some channels (NOPERM), created for this file.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { checkRedisCluster, OnMessage, OnShardedMessage, PubSubBootstrapError, RedisCluster, RedisClusterModule } from 'nest-redis-cluster';
import { describeWithServers, redisCli, testServers } from '../support/servers.js';
import { closeAndExpectNoLeaks, eventually, mainRootNodes, tracked, uniqueNamespace } from './support/nest-test.helpers.js';
import { CapturingLogger } from './support/capturing-logger.js';

const run = uniqueNamespace('psboot');
const user = `nrc-${run}`;
const password = `pw-${run}`;
const ch = {
  allowed: `${run}:allowed`,
  denied: `${run}:denied`,
  deniedSharded: `${run}:denied:{s}`,
};
const ports = () => testServers().clusters.main.ports;

/** Grants the user its allowed channel, and the sharded one when `sharded` is true. */
async function grant(sharded: boolean): Promise<void> {
  for (const port of ports()) {
    await redisCli(port, 'ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+@all', 'resetchannels', `&${ch.allowed}`, ...(sharded ? [`&${ch.deniedSharded}`] : []));
  }
}

@Injectable()
class Strict {
  readonly got: string[] = [];

  @OnMessage(ch.allowed)
  onAllowed(message: string): void {
    this.got.push(message);
  }

  @OnMessage(ch.denied)
  onDenied(): void {}
}

@Injectable()
class Lenient {
  readonly got: string[] = [];

  @OnShardedMessage(ch.deniedSharded, { optional: true })
  onSharded(message: string): void {
    this.got.push(message);
  }
}

function moduleFor(provider: typeof Strict | typeof Lenient) {
  return Test.createTestingModule({
    imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), defaults: { username: user, password } })],
    providers: [provider],
  }).compile();
}

describeWithServers('pub/sub handlers whose subscription fails at bootstrap', () => {
  beforeAll(() => grant(false));

  afterAll(async () => {
    for (const port of ports()) await redisCli(port, 'ACL', 'DELUSER', user).catch(() => undefined);
  });

  it('app.init() rejects with PubSubBootstrapError naming the handler, never the channel', tracked(async (tracker) => {
    const app = (await moduleFor(Strict)).createNestApplication({ logger: false });
    const error = await app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PubSubBootstrapError);
    const bootstrap = error as PubSubBootstrapError;
    expect(bootstrap.code).toBe('ERR_REDIS_PUBSUB_BOOTSTRAP');
    expect(bootstrap.failed).toEqual([{ handler: 'Strict.onDenied', kind: 'channel', channels: 1 }]);
    expect(bootstrap.message).toMatch(/Strict\.onDenied/);
    expect(bootstrap.message).not.toContain(ch.denied);
    expect(bootstrap.message).not.toContain(password);
    expect((bootstrap.cause as Error).message).toMatch(/NOPERM/);
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('{ optional: true }: the app starts, health is degraded while the subscription is retried, then it is subscribed and delivers', tracked(async (tracker) => {
    const logger = new CapturingLogger();
    const app = (await moduleFor(Lenient)).createNestApplication({ logger });
    try {
      await app.init();
      const moduleRef = app.get(ModuleRef);
      const degraded = await checkRedisCluster(moduleRef);
      expect(degraded.status).toBe('degraded');
      expect(degraded.details.failedSubscriptions).toEqual(['Lenient.onSharded']);
      expect(degraded.details.reason).toMatch(/Lenient\.onSharded/);
      expect(degraded.details.reason).not.toContain(ch.deniedSharded);
      expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([expect.stringMatching(/sharded subscription of Lenient\.onSharded failed: .*NOPERM.*retrying in the background/)]);

      await grant(true);
      const cluster = app.get(RedisCluster);
      await eventually(() => cluster.subscriptions().shardChannels[ch.deniedSharded] !== undefined, 20_000, 'the retried subscription');
      const healthy = await checkRedisCluster(moduleRef);
      expect(healthy.status).toBe('up');
      expect(healthy.details.failedSubscriptions).toEqual([]);
      expect(healthy.details.unplacedShardChannels).toBe(0);
      expect(logger.lines.some((l) => l.level === 'log' && /sharded subscription of Lenient\.onSharded succeeded after \d+ failed attempt/.test(l.message))).toBe(true);
      await cluster.sPublish(ch.deniedSharded, 'hello');
      const lenient = app.get(Lenient);
      await eventually(() => lenient.got.includes('hello'), 5000, 'the message');
    } finally {
      await closeAndExpectNoLeaks(app, tracker);
      await grant(false);
    }
  }), 60_000);
});
