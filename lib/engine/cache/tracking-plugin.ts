import type { CommandInfo } from '../commands/command-info.js';
import { kindOf, type NodeConnection } from '../connection/node-connection.js';
import type { ClusterNode } from '../cluster/cluster-node.js';
import type { CacheLookup, ConnectionPlugin, ExecutorCache, PluginHost } from '../cluster/connection-plugin.js';
import type { Topology } from '../cluster/topology.js';
import { RedisClusterError } from '../errors/base.error.js';
import type { RedisArgument } from '../resp/types.js';
import type { BasicClientSideCache } from './basic-client-side-cache.js';
import { isCacheableCall } from './cacheable-commands.js';

/**
 * A node refused `CLIENT TRACKING ON` (e.g. an ACL without `client`): replies from that node are
 * not cached while it refuses. Reported once per node on the cluster's `error` event.
 */
export class TrackingRefusedError extends RedisClusterError {
  readonly code = 'ERR_REDIS_TRACKING_REFUSED';
  /** `host:port` of the node. */
  readonly address: string;

  constructor(address: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${address} refused CLIENT TRACKING ON; replies from this node are not cached${reason}`, options);
    this.address = address;
  }
}

/** Tracking state of one main connection. */
interface NodeTracking {
  /** The last handshake's CLIENT TRACKING ON failed. */
  refused: boolean;
}

/** Per node address: the slot ranges it serves (master or replica), as text, to detect moves. */
function servedRanges(topology: Topology | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (topology === undefined) return out;
  for (const shard of topology.shards) {
    const ranges = [...shard.ranges].sort((x, y) => x[0] - y[0]).map(([start, end]) => `${start}-${end}`).join(',');
    out.set(shard.master.address, ranges);
    for (const replica of shard.replicas) out.set(replica.address, ranges);
  }
  return out;
}

/**
 * Wires a {@link BasicClientSideCache} into the cluster: `CLIENT TRACKING ON` (default mode, so
 * our own writes invalidate too) in the handshake of every node's main connection (dedicated pool
 * connections never serve cached calls), invalidation pushes, dropping a node's entries when its
 * connection is lost or flushed, and dropping entries whose slot moved off the node that served
 * them as soon as the client learns of it: a refresh that changed the topology or a MOVED patch
 * (`PluginHost.watchTopology`), and, as a safety net, at the first lookup after the topology
 * snapshot changed. @internal
 */
export class TrackingPlugin implements ConnectionPlugin, ExecutorCache {
  private readonly nodes = new Map<string, NodeTracking>();
  private readonly reported = new Set<string>();
  private seenTopology: Topology | undefined;
  private ranges = new Map<string, string>();
  private closed = false;
  private readonly unwatch: (() => void) | undefined;

  constructor(
    readonly cache: BasicClientSideCache,
    private readonly host: PluginHost,
  ) {
    cache.bind(this);
    this.unwatch = host.watchTopology?.((topology) => {
      if (!this.closed && topology !== this.seenTopology) this.reconcile(topology);
    });
  }

  attach(connection: NodeConnection, node: ClusterNode, kind: 'main' | 'dedicated'): void {
    if (kind !== 'main' || this.closed) return;
    const address = node.address;
    const state: NodeTracking = { refused: false };
    this.nodes.set(address, state);
    connection.addHandshakeExtension({
      steps: () => {
        state.refused = false;
        return [{ args: ['CLIENT', 'TRACKING', 'ON'], onError: (error: Error) => this.onRefused(address, state, error) }];
      },
    });
    connection.on('push', (frame) => {
      if (kindOf(frame) !== 'invalidate') return;
      const keys = frame[1];
      if (Array.isArray(keys)) this.cache.invalidateKeys(keys, 'server', address);
      else this.cache.dropNode(address, 'flush');
    });
    // Tracking lives and dies with the socket: what it read may have changed unseen.
    connection.on('reconnecting', () => this.cache.dropNode(address, 'disconnect'));
    connection.on('end', () => this.cache.dropNode(address, 'disconnect'));
  }

  lookup(argv: readonly RedisArgument[], info: CommandInfo, node: string, buffers: boolean): CacheLookup | undefined {
    if (this.closed || !isCacheableCall(info)) return undefined;
    const topology = this.host.topology();
    if (topology !== this.seenTopology) this.reconcile(topology);
    const state = this.nodes.get(node);
    if (state === undefined || state.refused) return undefined;
    return this.cache.lookup(argv, info.keys, node, buffers);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    // No connection tracks these entries any more: they must not outlive the client.
    this.cache.clear(false);
    this.cache.unbind(this);
  }

  private onRefused(address: string, state: NodeTracking, error: Error): undefined {
    state.refused = true;
    this.cache.dropNode(address, 'topology');
    if (!this.reported.has(address)) {
      this.reported.add(address);
      this.host.error(new TrackingRefusedError(address, { cause: error }));
    }
    return undefined;
  }

  /** Drops entries (and loads in flight) of every node whose served slot ranges changed. */
  private reconcile(topology: Topology | undefined): void {
    const previous = this.ranges;
    const next = servedRanges(topology);
    this.seenTopology = topology;
    this.ranges = next;
    const candidates = new Set([...previous.keys(), ...next.keys(), ...this.cache.nodesWithEntries()]);
    for (const address of candidates) {
      if (previous.get(address) === next.get(address) && previous.has(address)) continue;
      this.cache.dropUnservedSlots(address, (slot) => {
        const shard = topology?.shardOf(slot);
        return shard !== undefined && (shard.master.address === address || shard.replicas.some((r) => r.address === address));
      });
    }
  }
}
