import type { TopologyDiff } from '../../engine/cluster/node-registry.js';

/** One event of a cluster client, as published by {@link RedisClusterEvents}. `cluster` is the cluster's name. */
export type RedisClusterEvent =
  /** The first topology was loaded and the masters' connections are up. */
  | { readonly type: 'connect'; readonly cluster: string }
  /** The client was closed. */
  | { readonly type: 'end'; readonly cluster: string }
  /** A cluster-level error (e.g. a topology refresh failed on every node). */
  | { readonly type: 'error'; readonly cluster: string; readonly error: Error }
  /** A node connection failed (it keeps reconnecting). */
  | { readonly type: 'node-error'; readonly cluster: string; readonly address: string; readonly error: Error }
  /** A node connection finished its handshake. */
  | { readonly type: 'node-ready'; readonly cluster: string; readonly address: string }
  /** A node connection will reconnect after `delayMs`. */
  | {
      readonly type: 'node-reconnecting';
      readonly cluster: string;
      readonly address: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly cause: Error;
    }
  /** A new topology was applied (nodes added or removed, failover, slots moved). */
  | { readonly type: 'topology-change'; readonly cluster: string; readonly diff: TopologyDiff };

/** The `type` of a {@link RedisClusterEvent}. */
export type RedisClusterEventType = RedisClusterEvent['type'];
