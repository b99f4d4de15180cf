// What a real 7.0 cluster cannot show on demand: exact ASKING order, redirect loops, TRYAGAIN and
// CLUSTERDOWN sequences, and malformed replies. Two or three scripted fake nodes play the cluster.
import { ClientClosedError, ClusterDownError, CommandTimeoutError, ProtocolError, RedirectionLimitError, type RedisCluster } from '../../lib/index.js';
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import * as F from './resp-frames.js';
import { useFakeCluster } from './support/fake-cluster.js';
import { HandleTracker } from '../support/handle-tracker.js';

/** Node `a` serves slots 0–8191, node `b` 8192–16383. */
const fakes = useFakeCluster(2);

async function connect(options: { commandTimeout?: number; maxCommandRedirections?: number } = {}): Promise<RedisCluster> {
  const client = fakes.createClient({
    defaults: { commandTimeout: options.commandTimeout ?? 2000 },
    ...(options.maxCommandRedirections !== undefined ? { maxCommandRedirections: options.maxCommandRedirections } : {}),
  });
  await client.connect();
  return client;
}

/** A key whose slot the fake topology gives to node `a` (slot < 8192). */
const keyOnA = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => `key:${k}`).find((k) => keySlot(k) < 8192)!;

describe('redirects against scripted nodes', () => {
  it('follows ASK with exactly one ASKING right before the command, on the target, without changing the slot map', async () => {
    const slot = keySlot(keyOnA);
    fakes.a.on('GET', () => F.error(`ASK ${slot} 127.0.0.1:${fakes.b.port}`));
    fakes.b.on('GET', (argv) => F.bulk(`from-b:${argv[1]}`));
    const cluster = await connect();
    expect(await cluster.get(keyOnA)).toBe(`from-b:${keyOnA}`);
    const onB = fakes.b.commands.filter((c) => ['ASKING', 'GET'].includes(c.argv[0]!.toUpperCase()));
    expect(onB.map((c) => c.argv[0]!.toUpperCase())).toEqual(['ASKING', 'GET']);
    expect(onB[0]!.connId).toBe(onB[1]!.connId);
    // The map did not change: the next GET goes to A first again.
    fakes.a.off('GET');
    fakes.a.on('GET', () => F.bulk('from-a'));
    expect(await cluster.get(keyOnA)).toBe('from-a');
    expect(cluster.stats().ask).toBe(1);
    expect(cluster.getSlotMaster(slot)!.port).toBe(fakes.a.port);
  });

  it('follows MOVED, updates the slot at once, and stops a MOVED loop with RedirectionLimitError and its history', async () => {
    const slot = keySlot(keyOnA);
    fakes.a.on('GET', () => F.error(`MOVED ${slot} 127.0.0.1:${fakes.b.port}`));
    fakes.b.on('GET', () => F.bulk('moved-ok'));
    const cluster = await connect({ maxCommandRedirections: 5 });
    expect(await cluster.get(keyOnA)).toBe('moved-ok');
    expect(cluster.stats().moved).toBe(1);
    expect(cluster.getSlotMaster(slot)!.port).toBe(fakes.b.port);
    fakes.b.off('GET');
    fakes.b.on('GET', () => F.error(`MOVED ${slot} 127.0.0.1:${fakes.a.port}`));
    const started = Date.now();
    const error = await cluster.get(keyOnA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectionLimitError);
    const history = (error as RedirectionLimitError).history;
    expect(history).toHaveLength(6);
    expect(history.every((h) => h.kind === 'MOVED' && h.slot === slot)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('retries TRYAGAIN with backoff until it succeeds', async () => {
    let tries = 0;
    fakes.a.on('MGET', () => (++tries < 3 ? F.error('TRYAGAIN Multiple keys request during rehashing of slot') : F.array([F.bulk('1'), F.bulk('2')])));
    const cluster = await connect();
    expect(await cluster.mGet([`{${keyOnA}}1`, `{${keyOnA}}2`])).toEqual(['1', '2']);
    expect(tries).toBe(3);
    expect(cluster.stats().tryAgain).toBe(2);
  });

  it('rejects within the deadline with ClusterDownError while the cluster stays down', async () => {
    fakes.a.on('SET', () => F.error('CLUSTERDOWN The cluster is down'));
    const cluster = await connect({ commandTimeout: 300 });
    const started = Date.now();
    const error = await cluster.set(keyOnA, 'v').catch((e: unknown) => e);
    // Either the last retry's CLUSTERDOWN, or the deadline expiring during a retry, naming CLUSTERDOWN as its cause.
    const reason = error instanceof CommandTimeoutError ? error.cause : error;
    expect(reason).toBeInstanceOf(ClusterDownError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fakes.a.commands.filter((c) => c.argv[0] === 'SET').length).toBeGreaterThan(1);
  });

  it('close() cancels a command waiting to retry: it rejects with ClientClosedError and no timer is left', async () => {
    fakes.a.on('SET', () => F.error('CLUSTERDOWN The cluster is down'));
    const tracker = new HandleTracker();
    try {
      const cluster = await tracker.run(() => connect({ commandTimeout: 10_000 }));
      const pending = tracker.run(() => cluster.set(keyOnA, 'v').catch((e: unknown) => e));
      await fakes.a.waitForCommand('SET');
      await tracker.run(() => cluster.close());
      fakes.client = undefined;
      expect(await pending).toBeInstanceOf(ClientClosedError);
      expect(tracker.created).toBeGreaterThan(0);
      expect(await tracker.leftovers()).toEqual({});
    } finally {
      tracker.disable();
    }
  });

  it('a malformed reply rejects only the commands in flight on that socket, then the node is used again', async () => {
    let gets = 0;
    fakes.a.on('GET', (argv) => (++gets === 1 ? { bytes: '?garbage\r\n' } : F.bulk(`ok:${argv[1]}`)));
    const cluster = await connect();
    const first = cluster.get(keyOnA).catch((e: unknown) => e);
    const onOtherNode = cluster.nodeClient(`127.0.0.1:${fakes.b.port}`).ping();
    expect(await first).toBeInstanceOf(ProtocolError);
    expect(await onOtherNode).toBe('PONG');
    expect(await cluster.get(keyOnA)).toBe(`ok:${keyOnA}`);
    expect(fakes.a.connections.filter((c) => !c.alive).length).toBeGreaterThanOrEqual(1);
  });

  it('follows a MOVED to a node missing from the topology', async () => {
    const c = await fakes.startExtra();
    c.on('GET', () => F.bulk('from-c'));
    const slot = keySlot(keyOnA);
    fakes.a.on('GET', () => F.error(`MOVED ${slot} 127.0.0.1:${c.port}`));
    const cluster = await connect();
    expect(await cluster.get(keyOnA)).toBe('from-c');
  });
});
