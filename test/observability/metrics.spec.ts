// OpenTelemetry metrics against the real cluster, read with a real MeterProvider and MetricReader:
// values match what the test did.
import { metrics } from '@opentelemetry/api';
import { METRICS, type RedisCluster } from '../../lib/index.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers } from '../support/servers.js';
import { collect, histogramCount, otelMetrics, points, sum } from './support/otel.js';

async function connected(options: Parameters<typeof mainCluster>[0]): Promise<RedisCluster> {
  const cluster = mainCluster(options);
  await cluster.connect();
  return cluster;
}

describeWithServers('OpenTelemetry metrics', () => {
  const open: RedisCluster[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('db.client.operation.duration: one point per command, by operation, node and error.type', async () => {
    const { provider, reader } = otelMetrics();
    const cluster = await connected({ observability: { metrics: { meterProvider: provider } } });
    open.push(cluster);
    const key = 'obs:metrics:k';
    const node = cluster.getNodeByKey(key)!;
    for (let i = 0; i < 5; i++) await cluster.set(key, String(i));
    for (let i = 0; i < 3; i++) await cluster.get(key);
    await expect(cluster.lPush(key, 'x')).rejects.toThrow();
    await cluster.pipeline().get(key).get(key).incr('obs:metrics:n').exec();

    const all = await collect(reader);
    const duration = all.get(METRICS.OPERATION_DURATION)!;
    expect(duration.descriptor.unit).toBe('s');
    const at = { 'db.system.name': 'redis', 'server.address': node.host, 'server.port': node.port };
    expect(histogramCount(duration, { ...at, 'db.operation.name': 'SET' })).toBe(5);
    expect(histogramCount(duration, { ...at, 'db.operation.name': 'GET' })).toBe(5);
    expect(histogramCount(duration, { 'db.operation.name': 'GET', 'db.operation.batch.size': 3 })).toBe(2);
    expect(histogramCount(duration, { 'db.operation.name': 'INCR', 'db.operation.batch.size': 3 })).toBe(1);
    expect(histogramCount(duration, { 'db.operation.name': 'LPUSH', 'error.type': 'WRONGTYPE' })).toBe(1);
    // Successful commands carry no error.type.
    expect(points(duration, { 'db.operation.name': 'SET' }).every((p) => !('error.type' in p.attributes))).toBe(true);
    const total = points<{ sum: number }>(duration, { 'db.operation.name': 'SET' }).reduce((s, p) => s + p.value.sum, 0);
    expect(total).toBeGreaterThan(0);
  });

  it('connection count per node and state, refreshes from stats(), client-side cache hits and misses', async () => {
    const { provider, reader } = otelMetrics();
    const cluster = await connected({ clientSideCache: { maxEntries: 100 }, observability: { metrics: { meterProvider: provider, groups: ['connection-basic', 'connection-advanced', 'resiliency', 'client-side-caching'] } } });
    open.push(cluster);
    await cluster.refreshTopology();
    await cluster.set('obs:csc', 'v');
    expect(await cluster.get('obs:csc')).toBe('v');
    expect(await cluster.get('obs:csc')).toBe('v');
    // A blocking command leases a pool connection, which goes back idle.
    const blocked = cluster.getNodeByKey('obs:list')!;
    expect(await cluster.blPop('obs:list', 0.01)).toBeNull();

    const all = await collect(reader);
    expect(all.has(METRICS.OPERATION_DURATION)).toBe(false); // group not enabled
    const count = all.get(METRICS.CONNECTION_COUNT);
    for (const master of cluster.getPrimaries()) {
      expect(sum(count, { 'db.client.connection.pool.name': master.address, 'db.client.connection.state': 'used' })).toBe(1);
    }
    expect(sum(count, { 'db.client.connection.pool.name': blocked.address, 'db.client.connection.state': 'idle' })).toBe(1);
    expect(points(all.get(METRICS.PENDING_REQUESTS)).length).toBeGreaterThanOrEqual(cluster.getPrimaries().length);

    const stats = cluster.stats();
    expect(sum(all.get(METRICS.TOPOLOGY_REFRESHES))).toBe(stats.topologyRefreshes);
    expect(stats.topologyRefreshes).toBeGreaterThanOrEqual(2);
    expect(sum(all.get(METRICS.REDIRECTIONS), { 'redis.client.redirection.kind': 'MOVED' })).toBe(stats.moved);
    expect(sum(all.get(METRICS.RETRIES))).toBe(stats.tryAgain + stats.clusterDown + stats.connectionRetries);

    const cache = cluster.clientSideCache!.stats();
    expect(sum(all.get(METRICS.CSC_REQUESTS), { 'redis.client.csc.result': 'hit' })).toBe(cache.hitCount);
    expect(sum(all.get(METRICS.CSC_REQUESTS), { 'redis.client.csc.result': 'miss' })).toBe(cache.missCount);
    expect(cache.hitCount).toBe(1);
    expect(sum(all.get(METRICS.CSC_ITEMS))).toBe(cache.size);

  });

  it('close() removes every observable callback it added to the meter', async () => {
    const { provider } = otelMetrics();
    const real = provider.getMeter('spy');
    const added = new Set<unknown>();
    const spy = <T extends { addCallback(cb: unknown): void; removeCallback(cb: unknown): void }>(instrument: T): T => {
      const add = instrument.addCallback.bind(instrument);
      const remove = instrument.removeCallback.bind(instrument);
      instrument.addCallback = (cb) => (added.add(cb), add(cb as never));
      instrument.removeCallback = (cb) => (added.delete(cb), remove(cb as never));
      return instrument;
    };
    const meter = {
      createHistogram: real.createHistogram.bind(real),
      createCounter: real.createCounter.bind(real),
      createObservableCounter: (name: string, o?: object) => spy(real.createObservableCounter(name, o)),
      createObservableUpDownCounter: (name: string, o?: object) => spy(real.createObservableUpDownCounter(name, o)),
      createObservableGauge: (name: string, o?: object) => spy(real.createObservableGauge(name, o)),
    };
    const cluster = await connected({ clientSideCache: { maxEntries: 10 }, observability: { metrics: { meter, groups: ['connection-basic', 'connection-advanced', 'resiliency', 'client-side-caching'] } } });
    try {
      // connection count, pending requests, redirections, retries, refreshes, cache requests, evictions, items
      expect(added.size).toBe(8);
    } finally {
      await cluster.close();
    }
    expect(added.size).toBe(0);
  });

  it('metrics: true uses the global MeterProvider of @opentelemetry/api, loaded on connect()', async () => {
    const { provider, reader } = otelMetrics();
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    try {
      const cluster = await connected({ observability: { metrics: true } });
      open.push(cluster);
      await cluster.set('obs:global', '1');
      expect(histogramCount((await collect(reader)).get(METRICS.OPERATION_DURATION), { 'db.operation.name': 'SET' })).toBe(1);
    } finally {
      metrics.disable();
    }
  });

  it('pubsub: counts each message once, whatever the number of listeners (classic, pattern and sharded)', async () => {
    const { provider, reader } = otelMetrics();
    const cluster = await connected({ observability: { metrics: { meterProvider: provider, groups: ['pubsub'] } } });
    open.push(cluster);
    const tag = Math.random().toString(36).slice(2, 8);
    const [channel, pattern, shardChannel] = [`obs:chan:${tag}`, `obs:ch*:${tag}`, `obs:schan:${tag}`];
    const counts = { first: 0, second: 0, pattern: 0, sharded: 0 };
    let allArrived: () => void = () => undefined;
    const arrived = new Promise<void>((r) => (allArrived = r));
    const check = () => {
      if (counts.first === 3 && counts.second === 3 && counts.pattern === 3 && counts.sharded === 2) allArrived();
    };
    const onFirst = () => (counts.first++, check());
    const onSecond = () => (counts.second++, check());
    const onPattern = () => (counts.pattern++, check());
    const onSharded = () => (counts.sharded++, check());
    await cluster.subscribe(channel, onFirst);
    await cluster.subscribe(channel, onSecond);
    await cluster.pSubscribe(pattern, onPattern);
    await cluster.sSubscribe(shardChannel, onSharded);
    for (let i = 0; i < 3; i++) await cluster.publish(channel, `m${i}`);
    for (let i = 0; i < 2; i++) await cluster.sPublish(shardChannel, `s${i}`);
    await arrived;
    const messages = (await collect(reader)).get(METRICS.PUBSUB_MESSAGES);
    // Three PUBLISHes reach the client as 3 `message` frames (2 listeners each) and 3 `pmessage` frames.
    expect(sum(messages, { 'redis.client.pubsub.sharded': false })).toBe(6);
    expect(sum(messages, { 'redis.client.pubsub.sharded': true })).toBe(2);
    await cluster.unsubscribe(channel, onFirst);
    expect(cluster.subscriptions().channels).toEqual([channel]);
    await cluster.unsubscribe(channel, onSecond);
    await cluster.pUnsubscribe(pattern, onPattern);
    await cluster.sUnsubscribe(shardChannel, onSharded);
    expect(cluster.subscriptions()).toMatchObject({ channels: [], patterns: [], shardChannels: {} });
  });

  it('records nothing when metrics are off', async () => {
    const { provider, reader } = otelMetrics();
    const cluster = await connected({ observability: { metrics: { meterProvider: provider, enabled: false } } });
    open.push(cluster);
    await cluster.set('obs:off', '1');
    expect((await collect(reader)).size).toBe(0);
  });
});
