/**
 * @OnShardedMessage / @OnMessage / @OnPatternMessage on the main test cluster: delivery, stacking,
 * one SSUBSCRIBE per slot, buffers, failing handlers, scopes, and that app.close() leaves no
 * subscription (server-side counts) and no handle behind.
 */
import 'reflect-metadata';
import net from 'node:net';
import { Injectable, Scope, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import {
  Cacheable,
  OnMessage,
  OnPatternMessage,
  OnShardedMessage,
  RedisCluster,
  RedisClusterModule,
  keySlot,
  type PubSubListener,
} from 'nest-redis-cluster';
import { describeWithServers, nodeCommand, testServers } from '../support/servers.js';
import { HandleTracker, closeAndExpectNoLeaks, eventually, inScopeOf, mainRootNodes, tracked, uniqueNamespace } from './support/nest-test.helpers.js';
import { CapturingLogger } from './support/capturing-logger.js';

const run = uniqueNamespace('pubsub');
const ch = {
  sharded: `${run}:orders:{eu}`,
  binary: `${run}:blobs:{eu}`,
  spreadA: `${run}:spread:{a}`,
  spreadB: `${run}:spread:{b}`,
  spreadB2: `${run}:spread2:{b}`,
  news: `${run}:news`,
  alerts: `${run}:alerts`,
  pattern: `${run}:prices:*`,
  priceChannel: `${run}:prices:eur`,
  failSync: `${run}:fail-sync:{f}`,
  failAsync: `${run}:fail-async`,
  scoped: `${run}:scoped`,
  nowhere: `${run}:nowhere`,
  cached: `${run}:cached`,
};

interface Received {
  readonly handler: string;
  readonly message: string | Buffer;
  readonly channel: string;
  readonly pattern: string | undefined;
}

@Injectable()
class Listeners {
  readonly got: Received[] = [];

  @OnShardedMessage(ch.sharded)
  onOrder(message: string, channel: string): void {
    this.got.push({ handler: 'onOrder', message, channel, pattern: undefined });
  }

  @OnShardedMessage(ch.binary, { buffers: true })
  onBlob(message: Buffer, channel: string): void {
    this.got.push({ handler: 'onBlob', message, channel, pattern: undefined });
  }

  @OnMessage(ch.news)
  async onNews(message: string, channel: string, pattern?: string): Promise<void> {
    await Promise.resolve();
    this.got.push({ handler: 'onNews', message, channel, pattern });
  }

  @OnPatternMessage(ch.pattern)
  onPrice(message: string, channel: string, pattern?: string): void {
    this.got.push({ handler: 'onPrice', message, channel, pattern });
  }

  // Stacked: three sharded channels over two slots, a repeated one, and a classic channel.
  @OnShardedMessage(ch.spreadA)
  @OnShardedMessage([ch.spreadB, ch.spreadB2])
  @OnShardedMessage(ch.spreadA)
  @OnMessage(ch.alerts)
  onAny(message: string, channel: string): void {
    this.got.push({ handler: 'onAny', message, channel, pattern: undefined });
  }

  of(handler: string): Received[] {
    return this.got.filter((r) => r.handler === handler);
  }
}

@Injectable()
class Failing {
  sync = 0;
  async = 0;

  @OnShardedMessage(ch.failSync)
  explode(message: string): void {
    this.sync++;
    throw new Error(`sync failure #${this.sync} (${message.length} chars)`);
  }

  @OnMessage(ch.failAsync)
  async reject(): Promise<void> {
    this.async++;
    await Promise.resolve();
    throw new Error(`async failure #${this.async}`);
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestListener {
  @OnMessage(ch.scoped)
  onScoped(): void {}
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientListener {
  @OnMessage(ch.scoped)
  onScoped(): void {}
}

@Injectable()
class TransientConsumer {
  constructor(readonly transient: TransientListener) {}
}

@Injectable()
class Misrouted {
  @OnMessage(ch.nowhere, { cluster: 'nowhere' })
  onNowhere(): void {}
}

/** A handler that is also @Cacheable: the message reaches the cache wrapper installed on the instance. */
@Injectable()
class CachedListener {
  calls = 0;

  @OnMessage(ch.cached)
  @Cacheable({ namespace: run, key: 'msg:{0}', ttl: 10_000 })
  async handle(message: string): Promise<string> {
    this.calls++;
    return message;
  }
}

const mainPorts = () => testServers().clusters.main.ports;

/** Sum over every node of the main cluster of a PUBSUB NUMSUB / SHARDNUMSUB count. */
async function subscriberCount(subcommand: 'NUMSUB' | 'SHARDNUMSUB', channels: string[]): Promise<number> {
  let total = 0;
  for (const port of mainPorts()) {
    const reply = (await nodeCommand(port, 'PUBSUB', subcommand, ...channels)) as Array<string | number>;
    for (let i = 1; i < reply.length; i += 2) total += Number(reply[i]);
  }
  return total;
}

/** How many clients receive a PUBLISH on `channel` (pattern subscribers included), summed over every node. */
async function receiversOf(channel: string): Promise<number> {
  let total = 0;
  for (const port of mainPorts()) total += Number(await nodeCommand(port, 'PUBLISH', channel, 'probe'));
  return total;
}

type SpyCall = { method: string; names: string[]; listener: unknown; open: boolean };

describeWithServers('pub/sub decorators on the real cluster', () => {
  let app: INestApplication;
  let cluster: RedisCluster;
  let logger: CapturingLogger;
  // The app lives across the tests: each runs in the tracker's scope, so what their calls make
  // the app create counts too.
  let tracker: HandleTracker;
  const inApp = inScopeOf(() => tracker);
  const calls: SpyCall[] = [];

  beforeAll(async () => {
    tracker = new HandleTracker();
    await tracker.run(async () => {
      logger = new CapturingLogger();
      const moduleRef = await Test.createTestingModule({
        imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), logging: { errorSummaryInterval: 60_000 } })],
        providers: [Listeners, Failing, PerRequestListener, TransientListener, TransientConsumer, Misrouted, CachedListener],
      }).compile();
      app = moduleRef.createNestApplication({ logger });
      cluster = app.get(RedisCluster);
      // Record every (un)subscribe call with its listener and whether the client was open then.
      for (const method of ['sSubscribe', 'subscribe', 'pSubscribe', 'sUnsubscribe', 'unsubscribe', 'pUnsubscribe'] as const) {
        const original = cluster[method].bind(cluster) as (names: string[], listener: PubSubListener, buffers?: boolean) => Promise<void>;
        jest.spyOn(cluster, method).mockImplementation(((names: string[], listener: PubSubListener, buffers?: boolean) => {
          calls.push({ method, names: [...names], listener, open: cluster.isOpen });
          return original(names, listener, buffers);
        }) as never);
      }
      await app.init();
    });
  });

  afterAll(async () => {
    tracker?.disable();
    if (app) await app.close().catch(() => undefined);
  });

  it('delivers sharded messages to @OnShardedMessage as strings, with the channel', inApp(async () => {
    const listeners = app.get(Listeners);
    await cluster.sPublish(ch.sharded, 'order-1');
    await eventually(() => listeners.of('onOrder').length === 1, 5000, 'the sharded message');
    expect(listeners.of('onOrder')).toEqual([{ handler: 'onOrder', message: 'order-1', channel: ch.sharded, pattern: undefined }]);
  }));

  it('delivers Buffers with { buffers: true }', inApp(async () => {
    const listeners = app.get(Listeners);
    const payload = Buffer.from([0, 255, 1, 254, 0x80]);
    await cluster.sPublish(ch.binary, payload);
    await eventually(() => listeners.of('onBlob').length === 1, 5000, 'the binary message');
    const [got] = listeners.of('onBlob');
    expect(Buffer.isBuffer(got!.message)).toBe(true);
    expect((got!.message as Buffer).equals(payload)).toBe(true);
  }));

  it('delivers classic messages to @OnMessage (async handler) and pattern messages with the pattern to @OnPatternMessage', inApp(async () => {
    const listeners = app.get(Listeners);
    await cluster.publish(ch.news, 'hello');
    await cluster.publish(ch.priceChannel, '42');
    await eventually(() => listeners.of('onNews').length === 1 && listeners.of('onPrice').length === 1, 5000, 'the classic and pattern messages');
    expect(listeners.of('onNews')).toEqual([{ handler: 'onNews', message: 'hello', channel: ch.news, pattern: undefined }]);
    expect(listeners.of('onPrice')).toEqual([{ handler: 'onPrice', message: '42', channel: ch.priceChannel, pattern: ch.pattern }]);
  }));

  it('stacked decorators: every channel is subscribed once, sharded channels with one SSUBSCRIBE per slot', inApp(async () => {
    expect(keySlot(ch.spreadA)).not.toBe(keySlot(ch.spreadB));
    expect(keySlot(ch.spreadB)).toBe(keySlot(ch.spreadB2));
    const sharded = calls.filter((c) => c.method === 'sSubscribe' && c.names.some((n) => n.includes(':spread')));
    expect(sharded.map((c) => [...c.names].sort())).toEqual(expect.arrayContaining([[ch.spreadA], [ch.spreadB, ch.spreadB2].sort()]));
    expect(sharded).toHaveLength(2);
    expect(sharded[0]!.listener).toBe(sharded[1]!.listener);
    const listeners = app.get(Listeners);
    await cluster.sPublish(ch.spreadA, 'a');
    await cluster.sPublish(ch.spreadB, 'b');
    await cluster.sPublish(ch.spreadB2, 'b2');
    await cluster.publish(ch.alerts, 'alert');
    await eventually(() => listeners.of('onAny').length >= 4, 5000, 'the four stacked messages');
    await new Promise((r) => setTimeout(r, 200)); // a duplicate subscription would deliver twice
    expect(listeners.of('onAny').map((r) => `${r.channel}=${String(r.message)}`).sort()).toEqual(
      [`${ch.spreadA}=a`, `${ch.spreadB}=b`, `${ch.spreadB2}=b2`, `${ch.alerts}=alert`].sort(),
    );
  }));

  it('a throwing or rejecting handler is logged (throttled) and keeps its subscription', inApp(async () => {
    const failing = app.get(Failing);
    await cluster.sPublish(ch.failSync, 'first');
    await cluster.publish(ch.failAsync, 'first');
    await eventually(() => failing.sync === 1 && failing.async === 1, 5000, 'the first failing deliveries');
    await cluster.sPublish(ch.failSync, 'second');
    await cluster.publish(ch.failAsync, 'second');
    await eventually(() => failing.sync === 2 && failing.async === 2, 5000, 'the second deliveries (subscriptions kept)');
    const errors = logger.of('error');
    // One line per handler now; the second failure goes into the summary (flushed at shutdown).
    expect(errors.filter((l) => l.includes('Failing.explode'))).toEqual([
      'Redis cluster "default": pub/sub handler Failing.explode failed: sync failure #1 (5 chars)',
    ]);
    expect(errors.filter((l) => l.includes('Failing.reject'))).toEqual(['Redis cluster "default": pub/sub handler Failing.reject failed: async failure #1']);
    // Payloads are never logged.
    expect(errors.join('\n')).not.toContain('second');
  }));

  it('delivers to the wrapper installed on the instance (a @Cacheable handler is cached)', inApp(async () => {
    const cached = app.get(CachedListener);
    await cluster.publish(ch.cached, 'same');
    await eventually(() => cached.calls === 1, 5000, 'the first cached delivery');
    await cluster.publish(ch.cached, 'same');
    await new Promise((r) => setTimeout(r, 300));
    expect(cached.calls).toBe(1);
  }));

  it('warns about request-scoped and transient providers and unregistered clusters, and does not subscribe them', () => {
    const warnings = logger.of('warn');
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PerRequestListener\.onScoped has pub\/sub decorators but PerRequestListener is request-scoped, transient/),
        expect.stringMatching(/^TransientListener\.onScoped has pub\/sub decorators but TransientListener is request-scoped, transient/),
        'Misrouted.onNowhere has pub/sub decorators for the Redis cluster "nowhere", which no RedisClusterModule registers: it is not subscribed.',
      ]),
    );
    expect(warnings.filter((w) => w.startsWith('PerRequestListener.onScoped'))).toHaveLength(1);
    const subscribed = calls.filter((c) => c.method.endsWith('ubscribe') && !c.method.includes('nsub')).flatMap((c) => c.names);
    expect(subscribed).not.toContain(ch.scoped);
    expect(subscribed).not.toContain(ch.nowhere);
  });

  it('subscriptions exist on the server while the app runs', inApp(async () => {
    expect(await subscriberCount('SHARDNUMSUB', [ch.sharded])).toBe(1);
    expect(await subscriberCount('NUMSUB', [ch.news])).toBe(1);
  }));

  it('app.close() removes each subscription with its own listener while the client is open, and leaves nothing behind', inApp(async () => {
    await closeAndExpectNoLeaks(app, tracker);
    const subscribes = calls.filter((c) => ['sSubscribe', 'subscribe', 'pSubscribe'].includes(c.method));
    const unsubscribes = calls.filter((c) => ['sUnsubscribe', 'unsubscribe', 'pUnsubscribe'].includes(c.method));
    expect(unsubscribes).toHaveLength(subscribes.length);
    const counterpart: Record<string, string> = { sSubscribe: 'sUnsubscribe', subscribe: 'unsubscribe', pSubscribe: 'pUnsubscribe' };
    for (const sub of subscribes) {
      const match = unsubscribes.find((u) => u.listener === sub.listener && u.names.join() === sub.names.join());
      expect(match).toMatchObject({ method: counterpart[sub.method], open: true });
    }
    expect(cluster.subscriptions()).toEqual({ channels: [], patterns: [], shardChannels: {}, unplacedShardChannels: [], classicNode: undefined });
    const sharded = [ch.sharded, ch.binary, ch.spreadA, ch.spreadB, ch.spreadB2, ch.failSync];
    expect(await subscriberCount('SHARDNUMSUB', sharded)).toBe(0);
    expect(await subscriberCount('NUMSUB', [ch.news, ch.alerts, ch.failAsync, ch.cached])).toBe(0);
    expect(await receiversOf(ch.priceChannel)).toBe(0);
    // The throttled handler failures were flushed as one summary line each.
    expect(logger.of('error')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/pub\/sub handler Failing\.explode failed 1 more time\(s\) in the last \d+ s \(last: .*sync failure #2/),
        expect.stringMatching(/pub\/sub handler Failing\.reject failed 1 more time\(s\) in the last \d+ s \(last: .*async failure #2/),
      ]),
    );
  }));
});

const lazyRun = uniqueNamespace('pubsub-lazy');

@Injectable()
class TwoClusters {
  readonly got: string[] = [];

  @OnShardedMessage(`${lazyRun}:default:{x}`)
  onDefault(message: string): void {
    this.got.push(`default:${message}`);
  }

  @OnMessage(`${lazyRun}:other`, { cluster: 'other' })
  onOther(message: string): void {
    this.got.push(`other:${message}`);
  }
}

@Injectable()
class Unreachable {
  @OnShardedMessage(`${lazyRun}:unreachable:{x}`, { cluster: 'unreachable' })
  onMessage(): void {}
}

describeWithServers('pub/sub decorators with lazyConnect and several clusters', () => {
  it('each cluster subscribes its own handlers; with lazyConnect the app starts at once and subscribes in the background', tracked(async (tracker) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), lazyConnect: true }),
        RedisClusterModule.forRoot({ name: 'other', rootNodes: mainRootNodes() }),
      ],
      providers: [TwoClusters],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const lazy = app.get(RedisCluster);
    const other = app.get<RedisCluster>('RedisCluster:other');
    await eventually(() => lazy.subscriptions().shardChannels[`${lazyRun}:default:{x}`] !== undefined, 5000, 'the lazy cluster to subscribe');
    expect(lazy.subscriptions().channels).toEqual([]);
    expect(other.subscriptions()).toMatchObject({ channels: [`${lazyRun}:other`], shardChannels: {} });
    await other.sPublish(`${lazyRun}:default:{x}`, 's');
    await lazy.publish(`${lazyRun}:other`, 'c');
    const service = app.get(TwoClusters);
    await eventually(() => service.got.length === 2, 5000, 'both messages');
    expect(service.got.sort()).toEqual(['default:s', 'other:c']);
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('with lazyConnect and a seed that never answers, shutdown is not held up by the pending subscription and logs no failure', tracked(async (tracker) => {
    // Accepts connections and never answers: the subscription stays pending until shutdown. It is
    // the test's, closed after the check: created outside the tracked scope (with the sockets it
    // accepts), so only the app's side of each connection counts.
    const sockets = new Set<net.Socket>();
    const silent = tracker.exit(() =>
      net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      }),
    );
    await tracker.exit(() => new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve)));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisClusterModule.forRoot({
          name: 'unreachable',
          lazyConnect: true,
          shutdownTimeout: 300,
          rootNodes: [{ url: `redis://127.0.0.1:${silentPort}` }],
          // Short: the engine does not abort a seed connection still opening when the client is
          // closed (topology-loader), so its socket and timer last until connectTimeout.
          defaults: { socket: { connectTimeout: 500 } },
        }),
      ],
      providers: [Unreachable],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    const started = Date.now();
    await app.init();
    expect(Date.now() - started).toBeLessThan(1000);
    const closing = Date.now();
    await closeAndExpectNoLeaks(app, tracker);
    expect(Date.now() - closing).toBeLessThan(3000);
    expect(logger.lines.filter((l) => /subscription of/.test(l.message))).toEqual([]);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }));
});
