import { inspect } from 'node:util';
import { NodeConnection } from '../connection/node-connection.js';
import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import { NodePool, type NodePoolSettings } from '../pool/node-pool.js';

/**
 * One node as the client uses it: a multiplexed, auto-pipelined connection for ordinary commands
 * and a lazily created pool of dedicated connections for blocking commands and WATCH sessions.
 *
 * Self-healing: when the main connection gives up (an AuthError on its first connect, a
 * `reconnectStrategy` that returned false or an Error), the commands it held reject with that
 * ConnectionError (the cluster retries them after a topology refresh), and the next use of
 * `connection` opens a fresh one, for as long as the node is part of an open cluster.
 */
export class ClusterNode {
  readonly address: string;
  /** Current role from the last topology (a replica may be promoted). */
  role: 'master' | 'replica';
  /** Created for a redirect target before any topology listed it. @internal */
  stray = false;
  private current: NodeConnection;
  private poolInstance: NodePool | undefined;
  /** The main connection ended on its own (gave up): replaced on next use. */
  private ended = false;
  /** close(), retire() or destroy() was called: never reopened. */
  private finished = false;
  /** Connections replaced by a hand-off, still finishing their in-flight commands. */
  private readonly draining = new Set<NodeConnection>();
  private recreatedCount = 0;

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
    this.current = this.newMain();
  }

  /** Main connections opened because the previous one gave up (for stats and tests). @internal */
  get recreated(): number {
    return this.recreatedCount;
  }

  /** The multiplexed connection (opens on first use; a fresh one after the previous gave up). */
  get connection(): NodeConnection {
    if (this.ended && !this.finished) {
      this.ended = false;
      this.recreatedCount++;
      this.current = this.newMain();
    }
    return this.current;
  }

  /**
   * Smart Client Handoff: new commands go to a fresh connection to `host:port` (the node's new
   * endpoint, or the same one), while the old connection finishes its in-flight commands and
   * then closes. Nothing in flight is lost. @internal
   */
  handoff(host: string, port: number): NodeConnection {
    const old = this.current;
    this.current = this.newMain({ host, port });
    this.ended = false;
    if (this.finished) {
      void this.current.destroy();
      return this.current;
    }
    // Tracked until it has closed, so that closing the node (and the client) also ends it.
    this.draining.add(old);
    old.once('end', () => this.draining.delete(old));
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
    this.finished = true;
    await Promise.all([this.current.close(), this.poolInstance?.close(), ...[...this.draining].map((c) => c.close())]);
  }

  /** Left the topology: unsent commands reject with `reason` (re-routed), sent ones get their replies. @internal */
  async retire(reason: Error): Promise<void> {
    this.finished = true;
    await Promise.all([this.current.retire(reason), this.poolInstance?.close(), ...[...this.draining].map((c) => c.close())]);
  }

  /** Closes at once; unsent commands reject with `reason` (so the cluster can re-route them). @internal */
  async destroy(reason?: Error): Promise<void> {
    this.finished = true;
    await Promise.all([this.current.destroy(reason), this.poolInstance?.close(), ...[...this.draining].map((c) => c.destroy(reason))]);
  }

  /** `util.inspect` shows the address and role only (never the connection options). */
  [inspect.custom](): string {
    return `ClusterNode { address: '${this.address}', role: '${this.role}' }`;
  }

  /** `JSON.stringify` gives the address and role only. */
  toJSON(): { address: string; role: 'master' | 'replica' } {
    return { address: this.address, role: this.role };
  }

  private newMain(endpoint?: { host: string; port: number }): NodeConnection {
    const connection = this.newConnection(false, endpoint);
    connection.once('end', () => {
      if (this.current === connection) this.ended = true;
    });
    return connection;
  }

  private newConnection(dedicated: boolean, endpoint?: { host: string; port: number }): NodeConnection {
    const connection = new NodeConnection(endpoint ? { ...this.connectionOptions, ...endpoint } : this.connectionOptions, true);
    this.setup(connection, this, dedicated);
    return connection;
  }
}
