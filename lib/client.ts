/**
 * `nest-redis-cluster/client`: the cluster client without the Nest layer. Loads only the engine and
 * the package's runtime dependencies (`@ioredis/commands`, `cluster-key-slot`), so a plain Node app
 * can use it without installing `@nestjs/*`, `rxjs` or `reflect-metadata`.
 *
 * @example
 * ```ts
 * import { createCluster } from 'nest-redis-cluster/client';
 * const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
 * await cluster.connect();
 * ```
 *
 * The main entry (`nest-redis-cluster`) re-exports everything here plus the Nest module; both
 * load the same module instances, so classes (`instanceof`) are shared between the two.
 *
 * @packageDocumentation
 */

// Engine: client
export { RedisCluster, createCluster } from './engine/cluster/cluster-client.js';
export type { RedisClusterOptions, RootNodeOptions, NodeAddressMap, PoolOptions } from './engine/cluster/cluster-options.js';
export type { ClusterEvents } from './engine/cluster/cluster-events.js';
export type { ClusterCommandOptions } from './engine/cluster/command-executor.js';
export type { ClusterStats } from './engine/cluster/executor-context.js';
export type { ClusterNodeInfo, Shard } from './engine/cluster/topology.js';
export type { TopologyDiff } from './engine/cluster/node-registry.js';
export { ClusterPipeline, type PipelineOutcome } from './engine/cluster/cluster-pipeline.js';
export { ClusterTransaction } from './engine/cluster/cluster-transaction.js';
export { WatchSession } from './engine/cluster/watch-session.js';
export { NodeClient } from './engine/cluster/node-client.js';
export { defineScript, type RedisScript, type ScriptCall } from './engine/cluster/script.js';
export type { PubSubListener } from './engine/pubsub/listeners.js';
export type { ShardedChannelMoved, ShardedChannelsUnplaced } from './engine/pubsub/pubsub-host.js';
export type { ScanIteratorOptions } from './engine/cluster/cluster-scan.js';
export type { HealthReport, HealthReportOptions, NodeHealth } from './engine/cluster/health-report.js';
export { parseClusterInfo, parseClusterNodes, type ClusterInfo, type ClusterNodesEntry } from './engine/cluster/cluster-info.js';

// Engine: single-node connection
export { NodeConnection, type NodeConnectionEvents } from './engine/connection/node-connection.js';
export type { NodeConnectionOptions, SocketOptions } from './engine/connection/connection-options.js';
export type { CommandOptions } from './engine/connection/queued-command.js';
export type { AsyncCredentialsProvider, StreamingCredentialsProvider, StreamingCredentialsListener, CredentialsProvider, BasicAuth, Disposable } from './engine/auth/credentials-provider.js';
export { CredentialsProviderError, ReAuthenticationError } from './engine/auth/credentials.errors.js';
export { defaultReconnectStrategy, type ReconnectStrategy, type ReconnectDecision } from './engine/connection/reconnect-strategy.js';

// Engine: commands and protocol types
export { keySlot } from './engine/commands/key-slot.js';
export type { RedisArgument, RespValue, RespMap } from './engine/resp/types.js';
export type { CommandMethods, HashExpirationCondition, HashExpiration, HGetExOptions, HSetExOptions, HSetExFields } from './engine/commands/commands.js';
export { HASH_EXPIRATION } from './engine/commands/families/hash-field-expiration.js';

// Errors
export {
  RedisClusterError,
  ConfigError,
  ProtocolError,
  CommandTimeoutError,
  ClientClosedError,
  ClientOfflineError,
  QueueFullError,
  CrossSlotError,
  WatchError,
  ConnectionError,
  ConnectionClosedError,
  ConnectTimeoutError,
  AuthError,
  TlsError,
  ReconnectStrategyError,
  NodeRemovedError,
  ReplyError,
  MovedError,
  AskError,
  TryAgainError,
  ClusterDownError,
  ServerCrossSlotError,
  ExecAbortError,
  NodeUnavailableReplyError,
  TopologyError,
  RedirectionLimitError,
  PartialFailureError,
  UnsupportedCommandError,
  ArgumentError,
  AlreadyExecutedError,
  NodeFanOutError,
} from './engine/errors/index.js';
export type { SeedFailure, RedirectStep, NodeOutcome, SlotOutcome } from './engine/errors/index.js';
export { PoolTimeoutError } from './engine/pool/node-pool.js';

// ---- client-side cache ----
export {
  BasicClientSideCache,
  ClientSideCacheStats,
  TrackingRefusedError,
  DEFAULT_CACHE_MAX_ENTRIES,
  type ClientSideCacheEvents,
  type CacheInvalidationReason,
  type ClientSideCacheOptions,
  type ClientSideCacheOption,
  type CacheEvictPolicy,
} from './engine/cache/index.js';

// ---- observability ----
export {
  CHANNELS,
  sanitizeArgs,
  REDACTED,
  METRICS,
  METRIC_ATTRIBUTES,
  METRIC_GROUPS,
  DEFAULT_METRIC_GROUPS,
  traceWithOpenTelemetry,
  type CommandTraceContext,
  type ConnectTraceContext,
  type BatchMode,
  type NodeRole,
  type RedirectKind,
  type RetryKind,
  type ObservabilityOptions,
  type TracingOptions,
  type MetricsOptions,
  type MetricGroup,
  type MeterLike,
  type MeterProviderLike,
  type MetricAttributes,
  type TracerLike,
  type SpanLike,
  type SpanAttributes,
  type OpenTelemetryTracingOptions,
} from './engine/observability/index.js';

// ---- maintenance ----
export type {
  MaintenanceOptions,
  MaintNotificationsMode,
  MaintEndpointType,
  MovingEndpointType,
  MaintenanceEvent,
  MaintenanceNotification,
  MaintenanceNotificationType,
  MaintenanceEndpoint,
  SlotMigration,
  SlotRange as MaintenanceSlotRange,
} from './engine/maintenance/types.js';
export { parseMaintenancePush, MalformedMaintenancePushError } from './engine/maintenance/push-parser.js';
export { CommandTimeoutDuringMaintenanceError, SocketTimeoutDuringMaintenanceError, HandshakeRefusedError } from './engine/errors/index.js';
