// Public surface of nest-redis-cluster. Named exports only.

// Engine: client
export { RedisCluster, createCluster } from './engine/cluster/cluster-client.js';
export type { RedisClusterOptions, RootNodeOptions, NodeAddressMap, PoolOptions } from './engine/cluster/cluster-options.js';
export type { ClusterEvents } from './engine/cluster/cluster-events.js';
export type { ClusterCommandOptions, ClusterStats } from './engine/cluster/command-executor.js';
export type { ClusterNodeInfo, Shard } from './engine/cluster/topology.js';
export type { TopologyDiff } from './engine/cluster/node-registry.js';
export { ClusterPipeline, type PipelineOutcome } from './engine/cluster/cluster-pipeline.js';
export { ClusterTransaction } from './engine/cluster/cluster-transaction.js';
export { WatchSession } from './engine/cluster/watch-session.js';
export { NodeClient } from './engine/cluster/node-client.js';
export { defineScript, type RedisScript, type ScriptCall } from './engine/cluster/script.js';
export type { PubSubListener } from './engine/pubsub/listeners.js';
export type { ShardedChannelMoved } from './engine/pubsub/pubsub-host.js';
export type { ScanIteratorOptions } from './engine/cluster/cluster-scan.js';
export type { HealthReport, HealthReportOptions, NodeHealth } from './engine/cluster/health-report.js';
export { parseClusterInfo, parseClusterNodes, type ClusterInfo, type ClusterNodesEntry } from './engine/cluster/cluster-info.js';

// Engine: single-node connection
export { NodeConnection, type NodeConnectionEvents } from './engine/connection/node-connection.js';
export type { NodeConnectionOptions, SocketOptions } from './engine/connection/connection-options.js';
export type { CommandOptions } from './engine/connection/queued-command.js';
export { defaultReconnectStrategy, type ReconnectStrategy, type ReconnectDecision } from './engine/connection/reconnect-strategy.js';

// Engine: commands and protocol types
export { keySlot } from './engine/commands/key-slot.js';
export type { RedisArgument, RespValue, RespMap } from './engine/resp/types.js';
export type { CommandMethods } from './engine/commands/commands.js';

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
} from './engine/errors/index.js';
export type { SeedFailure, RedirectStep } from './engine/errors/index.js';
export { PoolTimeoutError } from './engine/pool/node-pool.js';

// ---- Nest layer ----
export { RedisClusterModule } from './nest/redis-cluster.module.js';
export { DEFAULT_CLUSTER_NAME } from './nest/redis-cluster.constants.js';
export { getClusterToken, getClusterEventsToken, getCacheServiceToken, getClusterOptionsToken } from './nest/redis-cluster.tokens.js';
export { InjectCluster, InjectClusterEvents, InjectRedisCache } from './nest/decorators/inject-cluster.decorator.js';
export { Cacheable } from './nest/decorators/cacheable.decorator.js';
export { CachePut } from './nest/decorators/cache-put.decorator.js';
export { CacheEvict } from './nest/decorators/cache-evict.decorator.js';
export { OnShardedMessage } from './nest/decorators/on-sharded-message.decorator.js';
export { OnMessage } from './nest/decorators/on-message.decorator.js';
export { OnPatternMessage } from './nest/decorators/on-pattern-message.decorator.js';
export type { PubSubHandlerOptions, PubSubMessageHandler } from './nest/interfaces/pubsub-options.interface.js';
export { RedisCacheService } from './nest/cache/redis-cache.service.js';
export { RedisClusterEvents } from './nest/events/redis-cluster-events.service.js';
export type { RedisClusterEvent, RedisClusterEventType } from './nest/events/redis-cluster-event.interface.js';
export type { RedisClusterState } from './nest/lifecycle/redis-cluster.lifecycle.js';
export { checkRedisCluster } from './nest/health/redis-cluster-health.checker.js';
export type { RedisClusterHealthCheckOptions, RedisClusterHealthDetails, RedisClusterHealthResult } from './nest/health/redis-cluster-health.checker.js';
export type {
  RedisClusterModuleOptions,
  RedisClusterModuleAsyncOptions,
  RedisClusterOptionsFactory,
  RedisClusterClientOptions,
  RedisClusterLoggingOptions,
} from './nest/interfaces/redis-cluster-module-options.interface.js';
export type {
  CacheableOptions,
  CacheEvictOptions,
  CacheOperationOptions,
  CacheKey,
  CacheSerializer,
  RedisCacheModuleOptions,
  CacheCallOptions,
  CacheSetOptions,
  CacheWrapOptions,
  CacheLookup,
  CacheStats,
} from './nest/interfaces/cache-options.interface.js';

// ---- client-side cache ----
export {
  BasicClientSideCache,
  ClientSideCacheStats,
  TrackingRefusedError,
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
