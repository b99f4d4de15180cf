import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import type { ClusterNodeInfo, Topology } from '../cluster/topology.js';

/** What the subscribers need from the cluster client. @internal */
export interface PubSubHost {
  topology(): Topology | undefined;
  /** Waits for the first topology (lazy connect). */
  ready(): Promise<void>;
  /** Options for a dedicated connection to `node` (cluster defaults, credentials, TLS). */
  nodeOptions(node: ClusterNodeInfo): ResolvedNodeConnectionOptions;
  refresh(): Promise<void>;
  /** A listener threw, or a subscription could not be restored (cluster `error` event). */
  error(error: Error): void;
  /**
   * A subscriber connection's socket or handshake error (cluster `node-error` event, like the main
   * connections': the connection reconnects or moves by itself).
   */
  nodeError(error: Error, address: string): void;
  /** A sharded channel was moved to another node and resubscribed there. */
  channelMoved(channel: string, info: ShardedChannelMoved): void;
  /**
   * Sharded channels that lost their subscription could not be placed again in this round; they
   * are retried on a timer (not an error: they usually recover by themselves after a failover).
   */
  channelsUnplaced(channels: readonly string[], info: ShardedChannelsUnplaced): void;
  /** A message reached the listeners of a subscription (once per message, whatever the number of listeners). */
  messageDelivered(sharded: boolean): void;
  isClosed(): boolean;
}

/** Payload of the `sharded-channel-moved` event. */
export interface ShardedChannelMoved {
  /** Node the channel was subscribed on before, when known. */
  readonly from?: string;
  /** Node it is subscribed on now. */
  readonly to: string;
  /** How long the channel was not subscribed anywhere, in ms (messages published then were missed). */
  readonly unsubscribedMs: number;
  /** What triggered the move. */
  readonly reason: 'server-unsubscribe' | 'moved' | 'connection-lost' | 'topology-change';
}

/** Payload of the `sharded-channels-unplaced` event. */
export interface ShardedChannelsUnplaced {
  /** The channels' slot. */
  readonly slot: number;
  /** Failed placement rounds in a row (1 for the first). */
  readonly attempt: number;
  /** When the next round starts, in ms from now (back-off: 100 ms doubling up to 5000 ms). */
  readonly retryInMs: number;
  /** Why this round failed (e.g. no master of the slot confirmed its role yet). */
  readonly cause: Error;
  /** How long the longest-lost of these channels has not been subscribed anywhere, in ms. */
  readonly unsubscribedMs: number;
}

/** Reconnect attempts of a subscriber connection before it moves to another node. @internal */
export const SUBSCRIBER_RECONNECT = (retries: number): false | number => (retries >= 2 ? false : 50 * 2 ** retries);
