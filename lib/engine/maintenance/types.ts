/**
 * Types of Smart Client Handoffs (server maintenance push notifications, RESP3 only): the
 * options, the parsed notifications and the `maintenance` event of a RedisCluster.
 */

/**
 * Whether connections opt in to maintenance notifications with
 * `CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type <type>`:
 * - `'disabled'`: never send it;
 * - `'enabled'`: send it; a refusal fails the connection with HandshakeRefusedError;
 * - `'auto'`: send it; a refusal (Redis Open Source, Valkey) is ignored and the feature stays off.
 */
export type MaintNotificationsMode = 'disabled' | 'enabled' | 'auto';

/**
 * Which endpoint the server should announce in `MOVING` (node-redis names). `'none'` asks for a
 * null endpoint: the client then reconnects to the address it already uses, after half the
 * announced time. `'auto'` picks from each connection: a private address (10/8, 172.16/12,
 * 192.168/16, fc00::/7, ::1, fe80::/10; 127.0.0.0/8 counts as external, as in node-redis) gives
 * `internal-*`, any other `external-*`; with TLS `*-fqdn` (certificates name hosts), else `*-ip`.
 */
export type MaintEndpointType = 'auto' | 'internal-ip' | 'internal-fqdn' | 'external-ip' | 'external-fqdn' | 'none';

/** The endpoint types sent on the wire (every {@link MaintEndpointType} except `'auto'`). */
export type MovingEndpointType = Exclude<MaintEndpointType, 'auto'>;

/** Maintenance options of `createCluster` (node-redis names). */
export interface MaintenanceOptions {
  /**
   * Opt in to maintenance notifications (Redis Cloud, Redis Software ≥ 8.0.2). Needs RESP3: with
   * `RESP: 2`, `'auto'` turns the feature off and `'enabled'` is a ConfigError.
   * @default 'auto'
   */
  maintNotifications?: MaintNotificationsMode;
  /**
   * Older name of {@link MaintenanceOptions.maintNotifications} (node-redis before 5.9).
   * Giving both with different values is a ConfigError.
   * @deprecated use `maintNotifications`
   */
  maintPushNotifications?: MaintNotificationsMode;
  /** Endpoint type requested for `MOVING`; see {@link MaintEndpointType}. @default 'auto' */
  maintEndpointType?: MaintEndpointType;
  /**
   * Milliseconds a command may take while its node is in a maintenance window (it replaces a
   * shorter `commandTimeout`); expiry rejects with CommandTimeoutDuringMaintenanceError.
   * @default 10000
   */
  maintRelaxedCommandTimeout?: number;
  /**
   * Milliseconds a connection with commands in flight may go without receiving any data during a
   * maintenance window before its socket is failed with SocketTimeoutDuringMaintenanceError
   * (its commands then reject, and the node reconnects). `0` turns this check off.
   * @default 10000
   */
  maintRelaxedSocketTimeout?: number;
}

/** Options after defaults and validation. @internal */
export interface ResolvedMaintenanceOptions {
  readonly mode: 'enabled' | 'auto';
  readonly endpointType: MaintEndpointType;
  /** ms */
  readonly relaxedCommandTimeout: number;
  /** ms; 0 = no socket check */
  readonly relaxedSocketTimeout: number;
}

/** A `host:port` endpoint from a notification. */
export interface MaintenanceEndpoint {
  readonly host: string;
  readonly port: number;
}

/** An inclusive slot range `[start, end]`. */
export type SlotRange = readonly [start: number, end: number];

/** One SMIGRATED entry: `slots` moved from `source` (null in the older pair layout) to `destination`. */
export interface SlotMigration {
  readonly source: MaintenanceEndpoint | null;
  readonly destination: MaintenanceEndpoint;
  readonly slots: readonly SlotRange[];
}

/** The notification kinds sent by servers. */
export type MaintenanceNotificationType = 'MOVING' | 'MIGRATING' | 'MIGRATED' | 'FAILING_OVER' | 'FAILED_OVER' | 'SMIGRATING' | 'SMIGRATED';

/** A parsed maintenance push frame. `seq` identifies the event (shared by every node that sends it). */
export type MaintenanceNotification =
  | {
      readonly type: 'MOVING';
      readonly seq: number;
      /** Seconds until the old endpoint goes away (0 or negative: now). */
      readonly timeSeconds: number;
      /** The new endpoint, or null (reconnect to the current one after half of `timeSeconds`). */
      readonly endpoint: MaintenanceEndpoint | null;
    }
  | {
      readonly type: 'MIGRATING' | 'FAILING_OVER';
      readonly seq: number;
      /** Seconds the server announces for the operation. */
      readonly timeSeconds: number;
      /** Shard ids, when the server lists them. */
      readonly shards?: readonly string[];
    }
  | { readonly type: 'MIGRATED' | 'FAILED_OVER'; readonly seq: number; readonly shards?: readonly string[] }
  | { readonly type: 'SMIGRATING'; readonly seq: number; readonly slots: readonly SlotRange[] }
  | { readonly type: 'SMIGRATED'; readonly seq: number; readonly migrations: readonly SlotMigration[] };

/**
 * Payload of the RedisCluster `maintenance` event: one per notification after de-duplication by
 * `(type, seq)` per node, plus `WINDOW_EXPIRED` (a window closed by the backstop because its
 * closing notification never came), `HANDOFF_SETTLED` (after MOVING: the new connection is ready
 * and the old one has finished its commands) and `SOCKET_TIMEOUT` (a socket failed with
 * SocketTimeoutDuringMaintenanceError).
 */
export interface MaintenanceEvent {
  readonly type: MaintenanceNotificationType | 'WINDOW_EXPIRED' | 'HANDOFF_SETTLED' | 'SOCKET_TIMEOUT';
  /** `host:port` of the node as the cluster topology names it. */
  readonly node: string;
  /** Sequence id of the notification (for synthetic events: of the notification they concern). */
  readonly seq: number;
  /** `host:port` of the connection that received the notification (differs from `node` after a MOVING). */
  readonly connection: string;
  /** True when the node is in a maintenance window after this event (timeouts relaxed). */
  readonly inMaintenance: boolean;
  /** The parsed notification (absent on synthetic events). */
  readonly notification?: MaintenanceNotification;
  /** MOVING / HANDOFF_SETTLED: `host:port` the node's connection moves to. */
  readonly handoffTo?: string;
}
