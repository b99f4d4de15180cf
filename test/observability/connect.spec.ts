// nest-redis-cluster:connect: one trace per connection attempt (shared and dedicated connections,
// failures), and db.client.connection.create_time.
import { CHANNELS, METRICS, type ConnectTraceContext } from '../../lib/index.js';
import { mainCluster } from '../support/cluster-client.js';
import { closedPort } from '../support/ports.js';
import { describeWithServers, testServers } from '../support/servers.js';
import { collect, histogramCount, otelMetrics, recordChannel } from './support/otel.js';

/** Three root nodes of the main cluster (the discovery's seeds), sorted by port. */
function mainRootPorts(): number[] {
  return testServers().clusters.main.ports.slice(0, 3).sort();
}

describeWithServers('nest-redis-cluster:connect', () => {
  it('traces each attempt: the masters on connect(), a pooled connection, a refused one; records create_time', async () => {
    const recorder = recordChannel<ConnectTraceContext & object>(CHANNELS.CONNECT);
    const { provider, reader } = otelMetrics();
    const rootNodes = mainRootPorts().map((port) => ({ url: `redis://127.0.0.1:${port}` }));
    const cluster = mainCluster({ rootNodes, observability: { metrics: { meterProvider: provider, groups: ['connection-basic'] } } });
    try {
      await cluster.connect();
      const masters = cluster.getPrimaries().map((m) => m.port).sort();
      const ok = () => recorder.events.filter((e) => e.event === 'asyncEnd' && e.context.error === undefined && !e.context.seed);
      expect(ok().map((e) => e.context.serverPort).sort()).toEqual(masters);
      for (const e of ok()) {
        expect(e.context).toMatchObject({ serverAddress: '127.0.0.1', nodeRole: 'master', seed: false, attempt: 0, reconnect: false, dedicated: false });
        expect(e.context.clientId).toMatch(/^nrc-/);
      }
      // The discovery's seed connections (the root nodes) are traced too, with no role yet; a seed
      // dropped because another answered first ends without an error.
      const seeds = recorder.events.filter((e) => e.event === 'start' && e.context.seed);
      const roots = mainRootPorts();
      expect(seeds.map((e) => e.context.serverPort).sort()).toEqual(roots);
      for (const e of seeds) expect(e.context).toMatchObject({ nodeRole: undefined, dedicated: false, reconnect: false });
      expect(recorder.events.filter((e) => e.context.seed && e.event === 'error')).toEqual([]);
      expect(recorder.events.filter((e) => e.context.seed && e.event === 'asyncEnd')).toHaveLength(roots.length);
      // Each attempt: start, end, then asyncStart/asyncEnd once it is ready.
      const first = ok()[0]!.context;
      expect(recorder.events.filter((e) => e.context === first).map((e) => e.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);

      // A blocking command opens a dedicated connection: traced as such.
      const node = cluster.getNodeByKey('obs:conn:list')!;
      await cluster.blPop('obs:conn:list', 0.01);
      expect(ok().filter((e) => e.context.dedicated).map((e) => e.context.serverPort)).toEqual([node.port]);

      // A node nobody listens on: the attempt ends with the connection error.
      const port = await closedPort();
      await expect(cluster.nodeClient(`127.0.0.1:${port}`).sendCommand(['PING'], { timeout: 2000 })).rejects.toThrow();
      const refused = recorder.events.find((e) => e.event === 'error' && e.context.serverPort === port)!;
      expect(refused).toBeDefined();
      expect(refused.context.error).toBeInstanceOf(Error);
      expect(recorder.events.filter((e) => e.context === refused.context).map((e) => e.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);

      const createTime = (await collect(reader)).get(METRICS.CONNECTION_CREATE_TIME);
      for (const master of cluster.getPrimaries()) expect(histogramCount(createTime, { 'db.client.connection.pool.name': master.address })).toBeGreaterThanOrEqual(1);
      expect(histogramCount(createTime, { 'server.port': port })).toBe(0);
    } finally {
      recorder.stop();
      await cluster.close();
    }
  });
});
