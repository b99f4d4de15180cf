import { EventEmitter } from 'node:events';
import { BasicClientSideCache, TrackingRefusedError } from '../../../lib/index.js';
import { TrackingPlugin } from '../../../lib/engine/cache/tracking-plugin.js';
import type { ClusterNode } from '../../../lib/engine/cluster/cluster-node.js';
import type { CacheLookup, PluginHost } from '../../../lib/engine/cluster/connection-plugin.js';
import { Topology, type Shard } from '../../../lib/engine/cluster/topology.js';
import { commandInfo } from '../../../lib/engine/commands/command-info.js';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import type { HandshakeExtension, NodeConnection } from '../../../lib/engine/connection/node-connection.js';
import type { RedisArgument, RespValue } from '../../../lib/engine/resp/types.js';

const A = '127.0.0.1:7001';
const B = '127.0.0.1:7002';
const RA = '127.0.0.1:7004';

/** A stand-in for NodeConnection: records handshake extensions, emits events on demand. */
class FakeConnection extends EventEmitter {
  readonly extensions: HandshakeExtension[] = [];
  addHandshakeExtension(extension: HandshakeExtension): void {
    this.extensions.push(extension);
  }
}

function node(address: string): ClusterNode {
  return { address } as ClusterNode;
}

function info(address: string, role: 'master' | 'replica') {
  const [host, port] = address.split(':');
  return { address, host: host!, port: Number(port), role };
}

/** A at 0-8191 (replica RA), B at 8192-16383; `moved` slots are given to B instead. */
function topology(moved: number[] = []): Topology {
  const owner = new Int8Array(16384);
  for (let s = 8192; s < 16384; s++) owner[s] = 1;
  for (const s of moved) owner[s] = 1;
  const ranges: Array<Array<[number, number]>> = [[], []];
  for (let s = 0; s < 16384; s++) {
    const list = ranges[owner[s]!]!;
    const last = list[list.length - 1];
    if (last && last[1] === s - 1) last[1] = s;
    else list.push([s, s]);
  }
  const shards: Shard[] = [
    { master: info(A, 'master'), replicas: [info(RA, 'replica')], ranges: ranges[0]! },
    { master: info(B, 'master'), replicas: [], ranges: ranges[1]! },
  ];
  return new Topology(shards);
}

function setup(kinds: Record<string, 'main' | 'dedicated'> = { [A]: 'main', [B]: 'main', [RA]: 'main' }) {
  let current: Topology | undefined = topology();
  const errors: Error[] = [];
  const host: PluginHost = { topology: () => current, requestRefresh: () => undefined, error: (e) => errors.push(e), emit: () => undefined };
  const cache = new BasicClientSideCache();
  const plugin = new TrackingPlugin(cache, host);
  const connections = new Map<string, FakeConnection>();
  for (const [address, kind] of Object.entries(kinds)) {
    const connection = new FakeConnection();
    connections.set(address, connection);
    plugin.attach(connection as unknown as NodeConnection, node(address), kind);
  }
  const look = (argv: RedisArgument[], address = A, buffers = false): CacheLookup | undefined => plugin.lookup(argv, commandInfo(argv), address, buffers);
  const load = (argv: RedisArgument[], value: RespValue, address = A): void => {
    const lookup = look(argv, address);
    if (!lookup || lookup.hit || lookup.shared) throw new Error('expected a miss');
    lookup.done(value);
  };
  return { cache, plugin, connections, errors, look, load, setTopology: (t: Topology | undefined) => (current = t) };
}

/** Keys hashing to A's half (slot < 8192) and B's half. */
const onA = Array.from({ length: 200 }, (_, i) => `ka:${i}`).filter((k) => keySlot(k) < 8192).slice(0, 4);
const onB = Array.from({ length: 200 }, (_, i) => `kb:${i}`).filter((k) => keySlot(k) >= 8192).slice(0, 2);

describe('TrackingPlugin', () => {
  it('adds CLIENT TRACKING ON (default mode) to main connections only', () => {
    const { connections } = setup({ [A]: 'main', [B]: 'dedicated' });
    expect(connections.get(A)!.extensions.flatMap((e) => e.steps().map((s) => s.args))).toEqual([['CLIENT', 'TRACKING', 'ON']]);
    expect(connections.get(B)!.extensions).toEqual([]);
    expect(connections.get(B)!.listenerCount('push')).toBe(0);
  });

  it('looks up only cacheable calls, on nodes with a tracked main connection', () => {
    const { look } = setup({ [A]: 'main', [B]: 'dedicated' });
    expect(look(['SET', onA[0]!, 'v'])).toBeUndefined();
    expect(look(['BLPOP', onA[0]!, 0])).toBeUndefined();
    expect(look(['GET', onB[0]!], B)).toBeUndefined(); // no main connection attached for B
    expect(look(['GET', onA[0]!])?.hit).toBe(false);
  });

  it('applies invalidation pushes: keys drop their entries, null drops that node’s entries only', () => {
    const { connections, look, load, cache } = setup();
    load(['GET', onA[0]!], '1');
    load(['GET', onA[1]!], '2');
    load(['GET', onB[0]!], '3', B);
    connections.get(A)!.emit('push', ['invalidate', [onA[0]!]]);
    expect(look(['GET', onA[0]!])?.hit).toBe(false);
    expect(look(['GET', onA[1]!])?.hit).toBe(true);
    connections.get(A)!.emit('push', ['message', 'ch', 'not an invalidation']);
    expect(cache.size).toBe(2);
    connections.get(A)!.emit('push', ['invalidate', null]);
    expect(look(['GET', onA[1]!])?.hit).toBe(false);
    expect(look(['GET', onB[0]!], B)?.hit).toBe(true);
  });

  it('drops a node’s entries when its connection reconnects or ends, and nothing else', () => {
    const { connections, look, load } = setup();
    load(['GET', onA[0]!], '1');
    load(['GET', onB[0]!], '2', B);
    const inFlight = look(['GET', onA[1]!]);
    connections.get(A)!.emit('reconnecting', { attempt: 0, delayMs: 0, cause: new Error('lost') });
    if (!inFlight || inFlight.hit || inFlight.shared) throw new Error('expected a miss');
    inFlight.done('read before the loss');
    expect(look(['GET', onA[0]!])?.hit).toBe(false);
    expect(look(['GET', onA[1]!])?.hit).toBe(false);
    expect(look(['GET', onB[0]!], B)?.hit).toBe(true);
    connections.get(B)!.emit('end');
    expect(look(['GET', onB[0]!], B)?.hit).toBe(false);
  });

  it('stops caching from a node that refuses CLIENT TRACKING, reports it once, and resumes on a later success', () => {
    const { connections, look, load, errors } = setup();
    const step = connections.get(A)!.extensions[0]!.steps()[0]!;
    const pending = look(['GET', onA[0]!]);
    expect(step.onError!(new Error('NOPERM this user has no permissions to run the CLIENT command'))).toBeUndefined(); // not fatal
    if (!pending || pending.hit || pending.shared) throw new Error('expected a miss');
    pending.done('untracked');
    expect(look(['GET', onA[0]!])).toBeUndefined();
    connections.get(A)!.extensions[0]!.steps()[0]!.onError!(new Error('again'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TrackingRefusedError);
    expect((errors[0] as TrackingRefusedError).address).toBe(A);
    expect(errors[0]!.message).toMatch(/NOPERM/);
    connections.get(A)!.extensions[0]!.steps(); // next handshake
    load(['GET', onA[0]!], 'tracked again');
    expect(look(['GET', onA[0]!])?.hit).toBe(true);
  });

  it('drops entries of slots moved off the node that served them (MOVED patch or refresh), keeps the rest', () => {
    const { look, load, setTopology } = setup();
    for (const key of onA) load(['GET', key], key);
    load(['STRLEN', onA[0]!], 16, RA); // a replica's entry of the same slot
    load(['GET', onB[0]!], 'b', B);
    const movedSlot = keySlot(onA[0]!);
    setTopology(topology([movedSlot]));
    expect(look(['GET', onA[0]!], B)?.hit).toBe(false);
    expect(look(['STRLEN', onA[0]!], B)?.hit).toBe(false);
    for (const key of onA.slice(1)) expect([key, look(['GET', key])?.hit]).toEqual([key, keySlot(key) !== movedSlot]);
    expect(look(['GET', onB[0]!], B)?.hit).toBe(true);
    // Same topology content again (periodic refresh): nothing more is dropped.
    setTopology(topology([movedSlot]));
    expect(look(['GET', onB[0]!], B)?.hit).toBe(true);
  });

  it('drops the entries of a moved slot as soon as the host reports the new topology (refresh or MOVED patch), without a lookup', () => {
    let current: Topology | undefined = topology();
    const watchers = new Set<(t: Topology) => void>();
    const host: PluginHost = {
      topology: () => current,
      requestRefresh: () => undefined,
      error: () => undefined,
      emit: () => undefined,
      watchTopology: (listener) => {
        watchers.add(listener);
        return () => watchers.delete(listener);
      },
    };
    const cache = new BasicClientSideCache();
    const plugin = new TrackingPlugin(cache, host);
    plugin.attach(new FakeConnection() as unknown as NodeConnection, node(A), 'main');
    plugin.attach(new FakeConnection() as unknown as NodeConnection, node(B), 'main');
    const lookup = (argv: RedisArgument[], address: string) => plugin.lookup(argv, commandInfo(argv), address, false);
    const fill = (argv: RedisArgument[], address: string, value: RespValue) => {
      const l = lookup(argv, address);
      if (!l || l.hit || l.shared) throw new Error('expected a miss');
      l.done(value);
    };
    for (const key of onA) fill(['GET', key], A, key);
    fill(['GET', onB[0]!], B, 'b');
    const invalidations: Array<{ keys: readonly string[] | null; reason: string; node: string | undefined }> = [];
    cache.on('invalidate', (keys, info) => invalidations.push({ keys, ...info }));
    const movedSlot = keySlot(onA[0]!);
    const movedKeys = onA.filter((k) => keySlot(k) === movedSlot);
    current = topology([movedSlot]);
    for (const watcher of watchers) watcher(current);
    expect(cache.size).toBe(onA.length + 1 - movedKeys.length);
    expect(invalidations).toEqual([{ keys: movedKeys, reason: 'topology', node: A }]);
    // Close stops watching.
    plugin.close();
    expect(watchers.size).toBe(0);
  });

  it('discards a load in flight on a node that lost slots meanwhile', () => {
    const { look, setTopology } = setup();
    look(['GET', onB[1]!], B); // first lookup records the topology
    const pending = look(['GET', onA[0]!]);
    setTopology(topology([keySlot(onA[0]!)]));
    look(['GET', onB[1]!], B); // the next lookup sees the change
    if (!pending || pending.hit || pending.shared) throw new Error('expected a miss');
    pending.done('stale?');
    expect(look(['GET', onA[0]!])?.hit).toBe(false);
  });

  it('clears the cache and releases it on close', () => {
    const { plugin, cache, load, look } = setup();
    load(['GET', onA[0]!], '1');
    plugin.close();
    expect(cache.size).toBe(0);
    expect(look(['GET', onA[0]!])).toBeUndefined();
    expect(() => cache.bind({})).not.toThrow();
  });
});
