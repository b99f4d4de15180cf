/**
 * Without a server: `sharded-channel-moved` and `maintenance` events on the RedisClusterEvents
 * stream and in the logs (throttled), and health `degraded` while nodes are in a maintenance window or
 * sharded channels are unplaced.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisClusterHealthIndicator } from 'nest-redis-cluster/health';
import {
  RedisClusterEvents,
  checkRedisCluster,
  createCluster,
  keySlot,
  type MaintenanceEvent,
  type RedisCluster,
  type RedisClusterEvent,
  type HealthReport,
  ReAuthenticationError,
} from 'nest-redis-cluster';
import { RedisClusterEventLogger } from '../../lib/nest/events/redis-cluster-event.logger.js';
import { getClusterLifecycleToken } from '../../lib/nest/redis-cluster.tokens.js';
import { CapturingLogger } from './support/capturing-logger.js';

const logging = { errors: true, events: true, errorSummaryInterval: 10_000 };

function maintenanceEvent(node: string, type: MaintenanceEvent['type'], inMaintenance: boolean, seq = 1): MaintenanceEvent {
  return { type, node, seq, connection: node, inMaintenance };
}

/** A client that never connects: events are emitted by hand. */
function idleCluster(): RedisCluster {
  return createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] });
}

function emit(cluster: RedisCluster, event: string, ...args: unknown[]): void {
  (cluster as unknown as { emit(event: string, ...args: unknown[]): boolean }).emit(event, ...args);
}

describe('sharded-channel-moved and maintenance events', () => {
  let logger: CapturingLogger;

  beforeEach(() => {
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
  });

  afterEach(() => {
    Logger.overrideLogger(false);
    jest.useRealTimers();
  });

  it('are offered on the RedisClusterEvents stream', () => {
    const cluster = idleCluster();
    const events = new RedisClusterEvents('orders');
    events.attach(cluster);
    const seen: RedisClusterEvent[] = [];
    const moved: unknown[] = [];
    events.events$.subscribe((event) => seen.push(event));
    events.on('sharded-channel-moved').subscribe(({ channel, to, unsubscribedMs }) => moved.push({ channel, to, unsubscribedMs }));
    emit(cluster, 'sharded-channel-moved', 'orders:{eu}', { from: '10.0.0.1:7000', to: '10.0.0.2:7000', unsubscribedMs: 12, reason: 'server-unsubscribe' });
    emit(cluster, 'sharded-channel-moved', 'orders:{us}', { to: '10.0.0.3:7000', unsubscribedMs: 0, reason: 'connection-lost' });
    const opening = maintenanceEvent('10.0.0.1:7000', 'MIGRATING', true);
    emit(cluster, 'maintenance', opening);
    expect(seen).toEqual([
      {
        type: 'sharded-channel-moved',
        cluster: 'orders',
        channel: 'orders:{eu}',
        from: '10.0.0.1:7000',
        to: '10.0.0.2:7000',
        unsubscribedMs: 12,
        reason: 'server-unsubscribe',
      },
      { type: 'sharded-channel-moved', cluster: 'orders', channel: 'orders:{us}', to: '10.0.0.3:7000', unsubscribedMs: 0, reason: 'connection-lost' },
      { type: 'maintenance', cluster: 'orders', node: '10.0.0.1:7000', inMaintenance: true, event: opening },
    ]);
    expect('from' in seen[1]!).toBe(false);
    expect(moved).toHaveLength(2);
    events.complete();
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'MIGRATED', false));
    expect(seen).toHaveLength(3);
  });

  it('logs a sharded channel move with the gap in ms (slot, not the channel name), throttled per destination node', () => {
    jest.useFakeTimers();
    const cluster = idleCluster();
    const eventLogger = new RedisClusterEventLogger('orders', logging);
    eventLogger.attach(cluster);
    const slot = keySlot('orders:{eu}');
    emit(cluster, 'sharded-channel-moved', 'orders:{eu}', { from: '10.0.0.1:7000', to: '10.0.0.2:7000', unsubscribedMs: 37, reason: 'server-unsubscribe' });
    for (let i = 0; i < 5; i++) emit(cluster, 'sharded-channel-moved', `c${i}:{eu}`, { to: '10.0.0.2:7000', unsubscribedMs: i, reason: 'moved' });
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message:
          `Redis cluster "orders": a sharded channel of slot ${slot} moved from 10.0.0.1:7000 to 10.0.0.2:7000 (server-unsubscribe); ` +
          'it was not subscribed for 37 ms (messages published then were missed)',
      },
    ]);
    jest.advanceTimersByTime(10_000);
    expect(logger.lines[1]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^Redis cluster "orders": 5 more sharded channel\(s\) moved to 10\.0\.0\.2:7000 in the last 10 s \(last: .*not subscribed for 4 ms/),
    });
    expect(logger.lines.map((l) => l.message).join('\n')).not.toContain('orders:{eu}');
    eventLogger.dispose();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('logs when a node enters and leaves a maintenance window, once per transition, throttled per node', () => {
    jest.useFakeTimers();
    const cluster = idleCluster();
    const eventLogger = new RedisClusterEventLogger('orders', logging);
    eventLogger.attach(cluster);
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'MIGRATING', true, 1));
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'MIGRATING', true, 1)); // still in the window: nothing new
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.2:7000', 'FAILING_OVER', true, 2));
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'MIGRATED', false, 1));
    expect(logger.lines).toEqual([
      { level: 'log', message: 'Redis cluster "orders": node 10.0.0.1:7000 entered a maintenance window (MIGRATING); its commands get relaxed timeouts until it ends' },
      { level: 'log', message: 'Redis cluster "orders": node 10.0.0.2:7000 entered a maintenance window (FAILING_OVER); its commands get relaxed timeouts until it ends' },
      { level: 'log', message: 'Redis cluster "orders": node 10.0.0.1:7000 left its maintenance window (MIGRATED)' },
    ]);
    // A flapping node: the next transitions of the same direction go into one summary each.
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'MIGRATING', true, 3));
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'WINDOW_EXPIRED', false, 3));
    expect(logger.lines).toHaveLength(3);
    eventLogger.dispose();
    expect(logger.lines.slice(3).map((l) => l.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/node 10\.0\.0\.1:7000 entered a maintenance window 1 more time\(s\) in the last \d+ s/),
        expect.stringMatching(/node 10\.0\.0\.1:7000 left a maintenance window 1 more time\(s\) in the last \d+ s/),
      ]),
    );
    expect(jest.getTimerCount()).toBe(0);
  });

  it('offers unplaced sharded channels and re-authentication outcomes on the stream, and detaches every listener', () => {
    const cluster = idleCluster();
    const names = ['connect', 'end', 'error', 'node-error', 'node-ready', 'node-reconnecting', 'topology-change', 'sharded-channel-moved', 'sharded-channels-unplaced', 'maintenance', 'node-reauthenticated', 'reauthentication-error'] as const;
    const counts = () => names.map((name) => cluster.listenerCount(name));
    const before = counts();
    const events = new RedisClusterEvents('orders');
    events.attach(cluster);
    // One forwarder per engine event (the listener map is typed against ClusterEvents, so none is forgotten).
    expect(counts()).toEqual(before.map((n) => n + 1));
    const seen: RedisClusterEvent[] = [];
    events.events$.subscribe((event) => seen.push(event));
    const cause = new Error('no master of slot 42 confirmed yet');
    emit(cluster, 'sharded-channels-unplaced', ['a:{x}', 'b:{x}'], { slot: 42, attempt: 2, retryInMs: 200, cause, unsubscribedMs: 350 });
    emit(cluster, 'node-reauthenticated', '10.0.0.1:7000', { durationMs: 3 });
    const refused = new ReAuthenticationError('10.0.0.2:7000', 'AUTH with the pushed credentials was refused (WRONGPASS)');
    emit(cluster, 'reauthentication-error', refused);
    expect(seen).toEqual([
      { type: 'sharded-channels-unplaced', cluster: 'orders', channels: ['a:{x}', 'b:{x}'], slot: 42, attempt: 2, retryInMs: 200, unsubscribedMs: 350, cause },
      { type: 'node-reauthenticated', cluster: 'orders', address: '10.0.0.1:7000', durationMs: 3 },
      { type: 'reauthentication-error', cluster: 'orders', address: '10.0.0.2:7000', error: refused },
    ]);
    events.complete();
    expect(counts()).toEqual(before);
  });

  it('logs unplaced sharded channels (warn, by slot) and refused re-authentications (warn, per node)', () => {
    jest.useFakeTimers();
    const cluster = idleCluster();
    const eventLogger = new RedisClusterEventLogger('orders', logging);
    eventLogger.attach(cluster);
    emit(cluster, 'sharded-channels-unplaced', ['a:{x}', 'b:{x}'], { slot: 42, attempt: 1, retryInMs: 100, cause: new Error('no master confirmed'), unsubscribedMs: 120 });
    emit(cluster, 'reauthentication-error', new ReAuthenticationError('10.0.0.2:7000', 'AUTH with the pushed credentials was refused (WRONGPASS)'));
    emit(cluster, 'node-reauthenticated', '10.0.0.1:7000', { durationMs: 3 });
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'Redis cluster "orders": 2 sharded channel(s) of slot 42 not subscribed for 120 ms; placing them failed (attempt 1: no master confirmed), next try in 100 ms',
      },
      { level: 'warn', message: 'Redis cluster "orders" node 10.0.0.2:7000 error: 10.0.0.2:7000: AUTH with the pushed credentials was refused (WRONGPASS)' },
      { level: 'debug', message: 'Redis cluster "orders" node 10.0.0.1:7000 re-authenticated in 3 ms' },
    ]);
    expect(logger.lines.map((l) => l.message).join('\n')).not.toContain('a:{x}');
    eventLogger.dispose();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('logs neither with logging.events off', () => {
    const cluster = idleCluster();
    const eventLogger = new RedisClusterEventLogger('orders', { ...logging, events: false });
    eventLogger.attach(cluster);
    emit(cluster, 'sharded-channel-moved', 'x', { to: '10.0.0.2:7000', unsubscribedMs: 1, reason: 'moved' });
    emit(cluster, 'maintenance', maintenanceEvent('10.0.0.1:7000', 'MIGRATING', true));
    eventLogger.dispose();
    expect(logger.lines).toEqual([]);
  });
});

const upReport: HealthReport = {
  status: 'up',
  clusterState: 'ok',
  slotsCovered: 16384,
  nodes: [{ address: '10.0.0.1:7000', role: 'master', status: 'up', latencyMs: 0.4 }],
  checkedAt: new Date(0).toISOString(),
};

/**
 * A module reference whose cluster lifecycle reports `report`, has `maintenance` nodes in a window and
 * `unplaced` sharded channels waiting for a placement round.
 */
function fakeModuleRef(report: HealthReport, maintenance: string[] | undefined, unplaced: string[] = []): ModuleRef {
  const subscriptions = () => ({ channels: [], patterns: [], shardChannels: {}, unplacedShardChannels: [...unplaced], classicNode: undefined });
  const cluster = maintenance === undefined ? { subscriptions } : { maintenanceNodes: () => [...maintenance], subscriptions };
  const lifecycle = { state: 'running', isShuttingDown: false, cluster, healthReport: async () => report };
  return {
    get: (token: unknown) => {
      if (token === getClusterLifecycleToken('default')) return lifecycle;
      throw new Error('unknown token');
    },
  } as unknown as ModuleRef;
}

describe('health during maintenance windows', () => {
  it('is degraded, with the nodes listed, while maintenanceNodes() is not empty', async () => {
    const result = await checkRedisCluster(fakeModuleRef(upReport, ['10.0.0.2:7000', '10.0.0.1:7000']));
    expect(result.status).toBe('degraded');
    expect(result.details).toMatchObject({
      maintenanceNodes: ['10.0.0.1:7000', '10.0.0.2:7000'],
      reason: 'node(s) in a maintenance window: 10.0.0.1:7000, 10.0.0.2:7000',
    });
  });

  it('is up with an empty list otherwise (or when the engine has no accessor)', async () => {
    for (const maintenance of [[], undefined]) {
      const result = await checkRedisCluster(fakeModuleRef(upReport, maintenance));
      expect(result.status).toBe('up');
      expect(result.details.maintenanceNodes).toEqual([]);
      expect(result.details.reason).toBeUndefined();
    }
  });

  it('is degraded while sharded channels are unplaced (not subscribed anywhere, being retried), with both reasons when in maintenance too', async () => {
    const unplaced = await checkRedisCluster(fakeModuleRef(upReport, [], ['orders:{eu}', 'refunds:{eu}']));
    expect(unplaced.status).toBe('degraded');
    expect(unplaced.details).toMatchObject({ unplacedShardChannels: 2, reason: '2 sharded channel(s) not subscribed anywhere (being retried)' });
    const both = await checkRedisCluster(fakeModuleRef(upReport, ['10.0.0.1:7000'], ['orders:{eu}']));
    expect(both.details.reason).toBe('node(s) in a maintenance window: 10.0.0.1:7000; 1 sharded channel(s) not subscribed anywhere (being retried)');
    const down: HealthReport = { ...upReport, status: 'down', reason: 'a master did not answer' };
    expect(await checkRedisCluster(fakeModuleRef(down, [], ['orders:{eu}']))).toMatchObject({ status: 'down', details: { reason: 'a master did not answer', unplacedShardChannels: 1 } });
  });

  it('stays down when the cluster is down, keeping its reason', async () => {
    const down: HealthReport = { ...upReport, status: 'down', reason: 'a master did not answer' };
    const result = await checkRedisCluster(fakeModuleRef(down, ['10.0.0.1:7000']));
    expect(result).toMatchObject({ status: 'down', details: { reason: 'a master did not answer', maintenanceNodes: ['10.0.0.1:7000'] } });
  });

  it('the Terminus indicator reports degraded() (Terminus ≥ 12.1), or up with degraded: true on older versions', async () => {
    const moduleRef = fakeModuleRef(upReport, ['10.0.0.1:7000']);
    const indicator = new RedisClusterHealthIndicator(new HealthIndicatorService(), moduleRef);
    const result = await indicator.isHealthy('redis');
    expect(result.redis).toMatchObject({ status: 'degraded', maintenanceNodes: ['10.0.0.1:7000'] });

    // An older Terminus: the session has up/down only.
    const legacy = {
      check: (key: string) => ({
        up: (data: object) => ({ [key]: { status: 'up', ...data } }),
        down: (data: object) => ({ [key]: { status: 'down', ...data } }),
      }),
    } as unknown as HealthIndicatorService;
    const old = await new RedisClusterHealthIndicator(legacy, moduleRef).isHealthy('redis');
    expect(old.redis).toMatchObject({ status: 'up', degraded: true, maintenanceNodes: ['10.0.0.1:7000'] });
  });
});
