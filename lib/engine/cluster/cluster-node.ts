import { NodeConnection } from '../connection/node-connection.js';
import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import { NodePool, type NodePoolSettings } from '../pool/node-pool.js';

/**
 * One node as the client uses it: a multiplexed, auto-pipelined connection for ordinary commands
 * and a lazily created pool of dedicated connections for blocking commands and WATCH sessions.
 */
export class ClusterNode {
  readonly address: string;
  /** Current role from the last topology (a replica may be promoted). */
  role: 'master' | 'replica';
  /** Created for a redirect target before any topology listed it. @internal */
  stray = false;
  private current: NodeConnection;
  private poolInstance: NodePool | undefined;

  /** @internal */
  constructor(
    readonly host: string,
    readonly port: number,
    role: 'master' | 'replica',
    private readonly connectionOptions: ResolvedNodeConnectionOptions,
    private readonly poolSettings: NodePoolSettings,
    private readonly setup: (connection: NodeConnection, node: ClusterNode, dedicated: boolean) => void,
  ) {
    this.address = `${host}:${port}`;
    this.role = role;
    this.current = this.newConnection(false);
  }

  /** The multiplexed connection (opens on first use). */
  get connection(): NodeConnection {
    return this.current;
  }

  /**
   * Smart Client Handoff: new commands go to a fresh connection to `host:port` (the node's new
   * endpoint, or the same one), while the old connection finishes its in-flight commands and
   * then closes. Nothing in flight is lost. @internal
   */
  handoff(host: string, port: number): NodeConnection {
    const old = this.current;
    this.current = this.newConnection(false, { host, port });
    void old.close();
    return this.current;
  }

  /** The pool of dedicated connections (created on first use). @internal */
  get pool(): NodePool {
    this.poolInstance ??= new NodePool(() => this.newConnection(true), { maxWaiters: this.connectionOptions.maxQueueLength, ...this.poolSettings });
    return this.poolInstance;
  }

  /** True once the pool exists. @internal */
  get hasPool(): boolean {
    return this.poolInstance !== undefined;
  }

  /** Drains and closes every connection of this node. @internal */
  async close(): Promise<void> {
    await Promise.all([this.connection.close(), this.poolInstance?.close()]);
  }

  /** Left the topology: unsent commands reject with `reason` (re-routed), sent ones get their replies. @internal */
  async retire(reason: Error): Promise<void> {
    await Promise.all([this.connection.retire(reason), this.poolInstance?.close()]);
  }

  /** Closes at once; unsent commands reject with `reason` (so the cluster can re-route them). @internal */
  async destroy(reason?: Error): Promise<void> {
    await Promise.all([this.connection.destroy(reason), this.poolInstance?.close()]);
  }

  private newConnection(dedicated: boolean, endpoint?: { host: string; port: number }): NodeConnection {
    const connection = new NodeConnection(endpoint ? { ...this.connectionOptions, ...endpoint } : this.connectionOptions, true);
    this.setup(connection, this, dedicated);
    return connection;
  }
}
