// A reshard during the test: the command that meets it shows its MOVED/ASK hops on its trace
// (context and OpenTelemetry span) and in the metrics. Transactions: one trace per command.
import { ReplyError, WatchError, traceWithOpenTelemetry, METRICS } from '../../lib/index.js';
import { useFreshChaosCluster } from '../support/chaos-cluster.js';
import { mainCluster, withCluster } from '../support/cluster-client.js';
import { describeWithServers, keysInSlot, mastersAndReplicas, migrateSlot, testServers } from '../support/servers.js';
import { collect, otelMetrics, otelTracing, recordCommands, sum } from './support/otel.js';

describeWithServers('redirections on traces and metrics (chaos cluster reshard)', () => {
  useFreshChaosCluster();

  it('a MOVED after a reshard, then an ASK during the move back: redirections, final node, counters', async () => {
    const chaos = testServers().clusters.chaos;
    const recorder = recordCommands();
    const { tracer, spans } = otelTracing();
    const stop = traceWithOpenTelemetry(tracer);
    const { provider, reader } = otelMetrics();
    // No periodic refresh: the client keeps routing by what it last learnt.
    const cluster = mainCluster({ topologyRefreshInterval: 0, observability: { metrics: { meterProvider: provider, groups: ['resiliency'] } } }, 'chaos');
    try {
      await cluster.connect();
      const slot = 4242;
      const [key] = keysInSlot(slot, 1, 'obs:mv:');
      const topo = await mastersAndReplicas(chaos);
      const from = topo.ownerOf(slot)!;
      const to = topo.masters.find((p) => p !== from)!;
      await cluster.set(key!, 'v');

      await migrateSlot(chaos, slot, from, to);
      expect(await cluster.get(key!)).toBe('v');
      const moved = recorder.events.find((e) => e.event === 'asyncEnd' && e.context.command === 'GET')!.context;
      expect(moved).toMatchObject({ redirections: 1, retries: 0, serverPort: to, slot });
      const movedSpan = spans().find((s) => s.name === 'GET')!;
      expect(movedSpan.attributes).toMatchObject({ 'redis.cluster.redirections': 1, 'server.port': to });

      // Move it back, and read while the key is already on `from` but the slot is still migrating:
      // `to` (where the client now routes the slot) answers ASK.
      await migrateSlot(chaos, slot, to, from, {
        onStep: async (step) => {
          if (step !== 'keys-migrated') return;
          expect(await cluster.get(key!)).toBe('v');
        },
      });
      const asked = recorder.events.filter((e) => e.event === 'asyncEnd' && e.context.command === 'GET')[1]!.context;
      expect(asked).toMatchObject({ redirections: 1, serverPort: from });

      const stats = cluster.stats();
      expect(stats).toMatchObject({ moved: 1, ask: 1 });
      const redirections = (await collect(reader)).get(METRICS.REDIRECTIONS);
      expect(sum(redirections, { 'redis.client.redirection.kind': 'MOVED' })).toBe(1);
      expect(sum(redirections, { 'redis.client.redirection.kind': 'ASK' })).toBe(1);
    } finally {
      stop();
      recorder.stop();
      await cluster.close();
    }
  });
});

describeWithServers('transactions on the command channel', () => {
  it('one trace per queued command with batchMode MULTI; an error element fails only its trace; a WatchError fails all', async () => {
    const recorder = recordCommands();
    const { tracer, spans } = otelTracing();
    const stop = traceWithOpenTelemetry(tracer);
    try {
      await withCluster(async (cluster) => {
        const node = cluster.getNodeByKey('{obs-tx}a')!;
        const parent = await tracer.startActiveSpan('tx', async (span) => {
          const out = await cluster.multi().set('{obs-tx}a', 'x').lPush('{obs-tx}a', 'y').get('{obs-tx}a').exec();
          expect(out[1]).toBeInstanceOf(ReplyError);
          span.end();
          return span.spanContext().spanId;
        });
        const starts = recorder.events.filter((e) => e.event === 'start' && e.context.batchMode === 'MULTI');
        expect(starts.map((e) => [e.context.command, e.context.batchSize, e.context.serverPort])).toEqual([
          ['SET', 3, node.port],
          ['LPUSH', 3, node.port],
          ['GET', 3, node.port],
        ]);
        expect(starts.map((e) => e.context.result)).toEqual(['OK', undefined, 'x']);
        expect(starts[1]!.context.error).toBeInstanceOf(ReplyError);
        const children = spans().filter((s) => s.parentSpanContext?.spanId === parent);
        // They end together with EXEC (a failed one a tick later): compare sorted by name.
        expect(children.map((s) => [s.name, s.status.code, s.attributes['redis.batch.mode']]).sort()).toEqual([
          ['GET', 0, 'MULTI'],
          ['LPUSH', 2, 'MULTI'],
          ['SET', 0, 'MULTI'],
        ]);

        const session = await cluster.watch('{obs-tx}w');
        // The session's own reads are traced, on the session's node.
        const reads = recorder.events.length;
        await session.get('{obs-tx}w');
        const read = recorder.events.slice(reads).find((e) => e.event === 'asyncEnd')!.context;
        expect(read).toMatchObject({ command: 'GET', serverPort: cluster.getNodeByKey('{obs-tx}w')!.port, nodeRole: 'master' });
        expect('batchMode' in read).toBe(false);
        await cluster.set('{obs-tx}w', 'changed');
        const before = recorder.events.length;
        await expect(session.multi().set('{obs-tx}w', '1').incr('{obs-tx}n').exec()).rejects.toBeInstanceOf(WatchError);
        const failed = recorder.events.slice(before).filter((e) => e.event === 'error');
        expect(failed.map((e) => e.context.command)).toEqual(['SET', 'INCR']);
        expect(failed.every((e) => e.context.error instanceof WatchError)).toBe(true);
      });
    } finally {
      stop();
      recorder.stop();
    }
  });
});
