import 'reflect-metadata';
import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  RedisCluster,
  RedisClusterEvents,
  RedisClusterModule,
  TopologyError,
  checkRedisCluster,
  type RedisClusterEvent,
} from 'nest-redis-cluster';
import { ModuleRef } from '@nestjs/core';
import { getClusterLifecycleToken } from '../../lib/nest/redis-cluster.tokens.js';
import type { RedisClusterLifecycle } from '../../lib/nest/lifecycle/redis-cluster.lifecycle.js';
import { describeWithServers, testServers } from '../support/servers.js';
import { closeAndExpectNoLeaks, closedPorts, expectNoLeftovers, mainRootNodes, tracked, uniqueNamespace } from './support/nest-test.helpers.js';

const prefix = uniqueNamespace('life');

async function boot(options: Parameters<typeof RedisClusterModule.forRoot>[0]) {
  const moduleRef = await Test.createTestingModule({ imports: [RedisClusterModule.forRoot(options)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describeWithServers('cluster lifecycle in a Nest app', () => {
  it('fails bootstrap within bootstrapTimeout with a TopologyError naming every seed and its cause', tracked(async (tracker) => {
    const ports = await closedPorts(2);
    const started = Date.now();
    const error = await boot({ rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })), bootstrapTimeout: 1500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TopologyError);
    const topologyError = error as TopologyError;
    expect(topologyError.message).toContain('bootstrapTimeout (1500 ms)');
    for (const port of ports) expect(topologyError.message).toContain(`127.0.0.1:${port}: refused`);
    expect(topologyError.failures.map((f) => [f.address, f.reason])).toEqual(ports.map((port) => [`127.0.0.1:${port}`, 'refused']));
    expect(elapsed).toBeGreaterThanOrEqual(1000); // it retried a transient failure…
    expect(elapsed).toBeLessThan(3000); // …but not past the deadline
    expect(tracker.createdByKind.TCPWRAP).toBeGreaterThanOrEqual(2); // it did try the seeds…
    await expectNoLeftovers(tracker); // …and the failed bootstrap left no socket or timer behind
  }));

  it('fails at once, without retrying, when a seed is not a cluster node', async () => {
    const started = Date.now();
    const error = await boot({ rootNodes: [{ url: `redis://127.0.0.1:${testServers().standalone.port}` }], bootstrapTimeout: 10_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as TopologyError).failures[0]?.reason).toBe('not-cluster');
    expect(Date.now() - started).toBeLessThan(6000); // retrying would last the whole 10 s bootstrapTimeout
  });

  it('with lazyConnect the app starts without opening a socket; the first command connects', tracked(async (tracker) => {
    const app = await boot({ rootNodes: mainRootNodes(), lazyConnect: true });
    const cluster = app.get(RedisCluster);
    expect(cluster.isOpen).toBe(false);
    expect(tracker.createdByKind.TCPWRAP).toBeUndefined();
    await cluster.sendCommand(['SET', `${prefix}:lazy`, 'x']);
    expect(cluster.isOpen).toBe(true);
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('with lazyConnect and unreachable seeds the app starts, commands reject and health is down', tracked(async (tracker) => {
    const [port] = await closedPorts(1);
    const app = await boot({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }], lazyConnect: true });
    await expect(app.get(RedisCluster).sendCommand(['GET', 'x'])).rejects.toBeInstanceOf(TopologyError);
    const health = await checkRedisCluster(app.get(ModuleRef), { timeoutMs: 300 });
    expect(health.status).toBe('down');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('the lifecycle provider never prints the options it holds (passwords in defaults or URLs), whatever the depth', tracked(async (tracker) => {
    const [port] = await closedPorts(1);
    const secret = 'S3CRET-LIFECYCLE';
    const app = await boot({ rootNodes: [{ url: `redis://app:${secret}-url@127.0.0.1:${port}` }], defaults: { username: 'app', password: secret }, lazyConnect: true });
    const lifecycle = app.get<RedisClusterLifecycle>(getClusterLifecycleToken(), { strict: false });
    for (const shown of [inspect(lifecycle, { depth: Infinity, showHidden: true }), JSON.stringify(lifecycle), inspect(app.get(RedisCluster), { depth: Infinity })]) {
      expect(shown).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify(lifecycle))).toEqual({ name: 'default', state: 'running' });
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('drains in-flight commands on app.close(): they settle instead of hanging', tracked(async (tracker) => {
    const app = await boot({ rootNodes: mainRootNodes() });
    const cluster = app.get(RedisCluster);
    const writes = Array.from({ length: 2000 }, (_, i) => cluster.sendCommand(['SET', `${prefix}:drain:${i}`, String(i)]));
    const blocking = cluster.sendCommand(['BLPOP', `${prefix}:never`, 30]).then(
      () => 'resolved',
      (e: Error) => e,
    );
    await closeAndExpectNoLeaks(app, tracker);
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2000);
    expect(await blocking).toBeInstanceOf(Error); // a blocking command is not waited for: it is rejected, not left hanging
    await expect(cluster.sendCommand(['GET', 'x'])).rejects.toThrow(/closed/);
  }));

  it('turns readiness down in beforeApplicationShutdown, before the client closes', tracked(async (tracker) => {
    const app = await boot({ rootNodes: mainRootNodes() });
    const moduleRef = app.get(ModuleRef);
    expect((await checkRedisCluster(moduleRef)).status).toBe('up');
    const lifecycle = app.get<RedisClusterLifecycle>(getClusterLifecycleToken());
    lifecycle.beforeApplicationShutdown();
    const during = await checkRedisCluster(moduleRef);
    expect(during).toMatchObject({ status: 'down', details: { reason: 'the application is shutting down', lifecycle: 'shutting-down' } });
    expect(await app.get(RedisCluster).sendCommand(['PING'])).toBe('PONG'); // still serving
    await closeAndExpectNoLeaks(app, tracker);
    expect(lifecycle.state).toBe('closed');
  }));

  it('publishes the client events as an rxjs stream that completes on close', tracked(async (tracker) => {
    const app = await boot({ rootNodes: mainRootNodes(), lazyConnect: true });
    const events = app.get(RedisClusterEvents);
    const all = lastValueFrom(events.events$.pipe(toArray()));
    const ready = lastValueFrom(events.on('node-ready').pipe(toArray()));
    await app.get(RedisCluster).sendCommand(['PING']);
    await closeAndExpectNoLeaks(app, tracker);
    const types = (await all).map((e: RedisClusterEvent) => e.type);
    expect(types).toEqual(expect.arrayContaining(['topology-change', 'node-ready', 'connect', 'end']));
    expect((await ready).every((e) => e.cluster === 'default' && /^127\.0\.0\.1:3[0-2]\d\d\d$/.test(e.address))).toBe(true);
  }));

  it('app.close() is idempotent and closing twice leaves nothing open', tracked(async (tracker) => {
    const app = await boot({ rootNodes: mainRootNodes() });
    await Promise.all([app.close(), app.close()]);
    await closeAndExpectNoLeaks(app, tracker);
  }));
});
