import type { NodeConnection } from '../connection/node-connection.js';
import type { CommandInfo } from '../commands/command-info.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { Topology } from './topology.js';

/** What a plugin may use of the cluster client. @internal */
export interface PluginHost {
  topology(): Topology | undefined;
  /** Ask for a topology refresh soon. */
  requestRefresh(): void;
  /** Report an error on the cluster's `error` event. */
  error(error: Error): void;
  /** Emit a cluster event (e.g. `maintenance`, `cache-invalidate`). */
  emit(event: string, ...args: unknown[]): void;
  /**
   * Calls `listener` with each new topology as soon as it is installed: a refresh that changed it,
   * or a slot patched after a MOVED reply. Returns a function that stops the calls.
   */
  watchTopology?(listener: (topology: Topology) => void): () => void;
}

/**
 * Extends every node connection the cluster opens: client-side caching (CLIENT TRACKING and
 * invalidation pushes), maintenance notifications (Smart Client Handoffs). Attached before the
 * connection's first handshake. @internal
 */
export interface ConnectionPlugin {
  attach(connection: NodeConnection, node: ClusterNode, kind: 'main' | 'dedicated'): void;
  /** Releases timers and state when the cluster closes. */
  close?(): void | Promise<void>;
}

/**
 * A miss that shares the read of an identical call already in flight to the same node (single
 * flight): `shared` resolves with a private copy of its reply, or with undefined when that read
 * failed (then send the command as usual). Never rejects. @internal
 */
export interface CacheSharedLookup {
  readonly hit: false;
  readonly shared: Promise<RespValue | undefined>;
}

/** The result of a client-side cache lookup. @internal */
export type CacheLookup =
  | { readonly hit: true; readonly value: RespValue }
  | {
      readonly hit: false;
      readonly shared?: undefined;
      /** The reply arrived: store it unless an invalidation raced it. */
      done(value: RespValue): void;
      /** The command failed: forget the pending fetch. */
      failed(): void;
    }
  | CacheSharedLookup;

/** The client-side cache as the command executor sees it. @internal */
export interface ExecutorCache {
  /**
   * Called before a command is sent to `node` (never for ASK retries or node-bound commands).
   * Returns undefined for commands that are not cacheable.
   */
  lookup(argv: readonly RedisArgument[], info: CommandInfo, node: string, buffers: boolean): CacheLookup | undefined;
}
