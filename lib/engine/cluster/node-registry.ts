import type { NodeConnection } from '../connection/node-connection.js';
import { NodeRemovedError } from '../errors/connection.error.js';
import { ClusterNode } from './cluster-node.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { Topology } from './topology.js';

/** What changed when a topology was applied. */
export interface TopologyDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Nodes whose role changed (e.g. a replica promoted to master). */
  readonly roleChanged: readonly string[];
}

/**
 * Every node the client talks to, by address. Applying a new topology is incremental: nodes that
 * stay keep their connections; nodes that left are destroyed, and the commands not yet sent to
 * them reject with NodeRemovedError so that the executor re-routes them.
 * @internal
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, ClusterNode>();
  private applying = false;

  constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly setup: (connection: NodeConnection, node: ClusterNode, dedicated: boolean) => void,
  ) {}

  get(address: string): ClusterNode | undefined {
    return this.nodes.get(address);
  }

  /** The node at host:port, created (as a stray, outside the topology) when unknown. */
  getOrCreate(host: string, port: number, role: 'master' | 'replica' = 'master', hostname?: string): ClusterNode {
    const address = `${host}:${port}`;
    let node = this.nodes.get(address);
    if (!node) {
      node = new ClusterNode(host, port, role, this.options.nodeOptions(host, port, hostname), this.options.pool, this.setup);
      node.stray = !this.applying;
      this.nodes.set(address, node);
    }
    return node;
  }

  all(): ClusterNode[] {
    return [...this.nodes.values()];
  }

  apply(topology: Topology): TopologyDiff {
    const added: string[] = [];
    const roleChanged: string[] = [];
    this.applying = true;
    for (const info of topology.nodes.values()) {
      const existing = this.nodes.get(info.address);
      if (!existing) {
        this.getOrCreate(info.host, info.port, info.role, info.hostname);
        added.push(info.address);
      } else if (existing.stray) {
        // First reached through a MOVED/ASK (e.g. a just-promoted replica): new to the topology.
        existing.stray = false;
        existing.role = info.role;
        added.push(info.address);
      } else if (existing.role !== info.role) {
        existing.role = info.role;
        roleChanged.push(info.address);
      }
    }
    this.applying = false;
    const removed: string[] = [];
    for (const [address, node] of this.nodes) {
      if (topology.nodes.has(address)) continue;
      this.nodes.delete(address);
      removed.push(address);
      void node.retire(new NodeRemovedError(address, 'the node left the cluster topology'));
    }
    return { added, removed, roleChanged };
  }

  async closeAll(graceful: boolean): Promise<void> {
    const nodes = [...this.nodes.values()];
    this.nodes.clear();
    await Promise.all(nodes.map((node) => (graceful ? node.close() : node.destroy())));
  }
}
