// Discovery: one TopologyError naming every seed and its cause; any reachable seed is enough;
// no socket, timer or listener left after close().
import net from 'node:net';
import { ClientClosedError, ConfigError, createCluster, TopologyError } from '../../lib/index.js';
import { HandleTracker } from '../support/handle-tracker.js';
import { describeWithServers, testServers } from '../support/servers.js';

async function listen(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describeWithServers('cluster discovery', () => {
  it('fails with one TopologyError listing every seed and why it failed', async () => {
    const s = testServers();
    const blackhole = await listen(() => undefined); // accepts, never answers
    const refused = await listen(() => undefined);
    const refusedPort = refused.port;
    await refused.close();
    const cluster = createCluster({
      rootNodes: [
        { url: `redis://127.0.0.1:${refusedPort}` },
        { url: `redis://127.0.0.1:${blackhole.port}` },
        { url: `redis://127.0.0.1:${s.acl.port}` },
        { url: `redis://127.0.0.1:${s.standalone.port}` },
      ],
      defaults: { socket: { connectTimeout: 400 } },
    });
    try {
      const error = await cluster.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TopologyError);
      const failures = (error as TopologyError).failures;
      expect(failures.map((f) => [f.address, f.reason])).toEqual([
        [`127.0.0.1:${refusedPort}`, 'refused'],
        [`127.0.0.1:${blackhole.port}`, 'timeout'],
        [`127.0.0.1:${s.acl.port}`, 'auth'],
        [`127.0.0.1:${s.standalone.port}`, 'not-cluster'],
      ]);
      for (const f of failures) expect((error as Error).message).toContain(f.address);
      expect((error as Error).cause).toBeInstanceOf(AggregateError);
    } finally {
      await cluster.destroy();
      await blackhole.close();
    }
  });

  it('needs only one reachable seed', async () => {
    const { main } = testServers().clusters;
    const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }, { url: `redis://127.0.0.1:${main.ports[4]}` }] });
    try {
      await cluster.connect();
      expect(cluster.getPrimaries()).toHaveLength(3);
      expect(await cluster.set('discovery', 'ok')).toBe('OK');
    } finally {
      await cluster.close();
    }
  });

  it('validates options before opening any socket', async () => {
    const tracker = new HandleTracker();
    try {
      tracker.run(() => expect(() => createCluster({ rootNodes: [{ url: 'redis://x:7000' }], defaults: { commandTimeout: -1 } })).toThrow(ConfigError));
      expect(tracker.created).toBe(0);
      expect(await tracker.leftovers()).toEqual({});
    } finally {
      tracker.disable();
    }
  });

  it('leaves no socket or timer behind after close(), including pub/sub and pooled connections', async () => {
    // Only what this client created counts (not unrelated timers of the process).
    const tracker = new HandleTracker();
    try {
      const { main } = testServers().clusters;
      const cluster = tracker.run(() => createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${main.ports[0]}` }], useReplicas: true }));
      await tracker.run(async () => {
        await cluster.connect();
        await cluster.set('leak', '1');
        await cluster.get('leak');
        await cluster.blPop('{leak}q', 0.05);
        await cluster.subscribe('leak-ch', () => undefined);
        await cluster.sSubscribe('leak-sch', () => undefined);
      });
      const inflight = tracker.run(() => cluster.get('leak'));
      await tracker.run(() => cluster.close());
      expect(await inflight).toBe('1');
      expect(tracker.created).toBeGreaterThan(0);
      expect(await tracker.leftovers()).toEqual({});
      await expect(cluster.get('leak')).rejects.toThrow(/closed/);
    } finally {
      tracker.disable();
    }
  });

  it('close() during discovery ends the seed connections at once; close() is single-flight and end is emitted once', async () => {
    const blackhole = await listen(() => undefined); // accepts, never answers: discovery hangs on it
    const tracker = new HandleTracker();
    try {
      const cluster = tracker.run(() =>
        createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${blackhole.port}` }], defaults: { socket: { connectTimeout: 30_000 }, commandTimeout: 30_000 } }),
      );
      let ends = 0;
      const events: string[] = [];
      cluster.on('end', () => ends++);
      cluster.on('error', (e) => events.push(`error:${e.name}`));
      cluster.on('node-error', (e) => events.push(`node-error:${e.name}`));
      const connecting = tracker.run(() => cluster.connect().catch((e: unknown) => e));
      const get = tracker.run(() => cluster.get('k').catch((e: unknown) => e));
      const [first, second] = [tracker.run(() => cluster.close()), tracker.run(() => cluster.close())];
      expect(second).toBe(first);
      await Promise.all([first, second, tracker.run(() => cluster.destroy())]);
      expect((await connecting) as Error).toBeInstanceOf(ClientClosedError);
      expect((await get) as Error).toBeInstanceOf(ClientClosedError);
      expect(ends).toBe(1);
      expect(events).toEqual([]);
      expect(await tracker.leftovers()).toEqual({});
    } finally {
      tracker.disable();
      await blackhole.close();
    }
  });
});
