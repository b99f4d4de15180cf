// Discovery: one TopologyError naming every seed and its cause; any reachable seed is enough;
// no socket, timer or listener left after close().
import net from 'node:net';
import { ConfigError, createCluster, TopologyError } from '../../lib/index.js';
import { handleCounts, newHandles } from '../support/leaks.js';
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

  it('validates options before opening any socket', () => {
    const before = handleCounts();
    expect(() => createCluster({ rootNodes: [{ url: 'redis://x:7000' }], defaults: { commandTimeout: -1 } })).toThrow(ConfigError);
    expect(handleCounts()).toEqual(before);
  });

  it('leaves no socket or timer behind after close(), including pub/sub and pooled connections', async () => {
    const before = handleCounts();
    const { main } = testServers().clusters;
    const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${main.ports[0]}` }], useReplicas: true });
    await cluster.connect();
    await cluster.set('leak', '1');
    await cluster.get('leak');
    await cluster.blPop('{leak}q', 0.05);
    await cluster.subscribe('leak-ch', () => undefined);
    await cluster.sSubscribe('leak-sch', () => undefined);
    const inflight = cluster.get('leak');
    await cluster.close();
    expect(await inflight).toBe('1');
    expect(newHandles(before)).toEqual({});
    await expect(cluster.get('leak')).rejects.toThrow(/closed/);
  });
});
