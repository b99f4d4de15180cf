import type { TopologyDiff } from '../../engine/cluster/node-registry.js';
import type { MaintenanceEvent } from '../../engine/maintenance/types.js';
import type { ShardedChannelMoved, ShardedChannelsUnplaced } from '../../engine/pubsub/pubsub-host.js';
import type { ReAuthenticationError } from '../../engine/auth/credentials.errors.js';

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
  | { readonly type: 'topology-change'; readonly cluster: string; readonly diff: TopologyDiff }
  /**
   * A sharded channel was resubscribed on another node (its slot moved, a failover, or its
   * connection was lost). Messages published during `unsubscribedMs` were missed.
   */
  | {
      readonly type: 'sharded-channel-moved';
      readonly cluster: string;
      readonly channel: string;
      /** Node the channel was subscribed on before, when known. */
      readonly from?: string;
      /** Node it is subscribed on now. */
      readonly to: string;
      /** How long the channel was not subscribed anywhere, in ms. */
      readonly unsubscribedMs: number;
      readonly reason: ShardedChannelMoved['reason'];
    }
  /**
   * Sharded channels lost their subscription and one round of placing them again failed (e.g. no
   * master of their slot confirmed yet); they are retried on a timer until placed (then
   * `sharded-channel-moved`). Usually recovers by itself.
   */
  | {
      readonly type: 'sharded-channels-unplaced';
      readonly cluster: string;
      readonly channels: readonly string[];
      /** The channels' slot. */
      readonly slot: number;
      /** Failed placement rounds in a row (1 for the first). */
      readonly attempt: number;
      /** When the next round starts, in ms from now. */
      readonly retryInMs: number;
      /** How long the longest-lost of these channels has not been subscribed anywhere, in ms. */
      readonly unsubscribedMs: number;
      /** Why this round failed. */
      readonly cause: Error;
    }
  /** A live connection switched to credentials pushed by a streaming `credentialsProvider`. */
  | { readonly type: 'node-reauthenticated'; readonly cluster: string; readonly address: string; /** From the push to the AUTH reply, in ms. */ readonly durationMs: number }
  /**
   * A live connection's AUTH with pushed credentials was refused: it keeps its previous identity
   * (the provider's `onReAuthenticationError` gets the same error).
   */
  | { readonly type: 'reauthentication-error'; readonly cluster: string; readonly address: string; readonly error: ReAuthenticationError }
  /**
   * A maintenance notification (Smart Client Handoffs) or a change of a node's maintenance window.
   * `inMaintenance` tells whether `node` is in a window after this event.
   */
  | { readonly type: 'maintenance'; readonly cluster: string; readonly node: string; readonly inMaintenance: boolean; readonly event: MaintenanceEvent };

/** The `type` of a {@link RedisClusterEvent}. */
export type RedisClusterEventType = RedisClusterEvent['type'];
