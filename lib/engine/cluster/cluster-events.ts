import type { TopologyDiff } from './node-registry.js';
import type { ShardedChannelMoved, ShardedChannelsUnplaced } from '../pubsub/pubsub-host.js';
import type { MaintenanceEvent } from '../maintenance/types.js';
import type { ReAuthenticationError } from '../auth/credentials.errors.js';

/** Events of a RedisCluster. */
export type ClusterEvents = {
  /** The first topology was loaded and the masters' connections are up. */
  connect: [];
  /** close() or destroy() finished. */
  end: [];
  /** A cluster-level error (e.g. a topology refresh failed on every node). Node errors go to `node-error`. */
  error: [error: Error];
  /** A node connection's socket or handshake error (the node keeps reconnecting). */
  'node-error': [error: Error, address: string];
  /** A node connection finished its handshake. */
  'node-ready': [address: string];
  /** A node connection will try to reconnect after `delayMs`. */
  'node-reconnecting': [address: string, info: { attempt: number; delayMs: number; cause: Error }];
  /** A new topology was applied: nodes added, removed, or roles changed (failover), or slots moved. */
  'topology-change': [diff: TopologyDiff];
  /**
   * A sharded channel's slot moved (reshard, failover) or its connection was lost, and it was
   * resubscribed on the new owner; `unsubscribedMs` says how long messages could have been missed.
   */
  'sharded-channel-moved': [channel: string, info: ShardedChannelMoved];
  /**
   * Sharded channels lost their subscription (failover, reshard, connection lost) and one round of
   * placing them again failed (e.g. no master confirmed yet): they are retried on a timer until
   * placed (then `sharded-channel-moved`). Not an `error`: this usually recovers by itself.
   */
  'sharded-channels-unplaced': [channels: readonly string[], info: ShardedChannelsUnplaced];
  /** A maintenance notification (Smart Client Handoffs) or a change of a node's maintenance window. */
  maintenance: [event: MaintenanceEvent];
  /**
   * A live connection switched to credentials pushed by a streaming `credentialsProvider`;
   * `durationMs` runs from the push to the AUTH reply on that connection.
   */
  'node-reauthenticated': [address: string, info: { durationMs: number }];
  /**
   * A live connection's AUTH with pushed credentials was refused (or a RESP2 subscriber could not
   * be switched): the connection keeps its previous identity; the provider's
   * `onReAuthenticationError` is called with the same error.
   */
  'reauthentication-error': [error: ReAuthenticationError];
};
