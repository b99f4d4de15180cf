/**
 * Metric and attribute names. Database client semantic conventions where they exist
 * (`db.client.*`, `db.*`, `server.*`, `error.type`), node-redis's `redis.client.*` names for the
 * Redis-specific ones, and `redis.client.cluster.*` for what only a cluster client sees.
 */
export const METRICS = {
  /** Histogram, seconds: one per command a user issued (retries and redirects included). */
  OPERATION_DURATION: 'db.client.operation.duration',
  /** Observable up-down counter, connections, by pool (node) and state (`used` / `idle`). */
  CONNECTION_COUNT: 'db.client.connection.count',
  /** Histogram, seconds: time to open a connection (socket + handshake), successful attempts only. */
  CONNECTION_CREATE_TIME: 'db.client.connection.create_time',
  /** Observable up-down counter, requests: commands queued or in flight, by pool (node). */
  PENDING_REQUESTS: 'db.client.connection.pending_requests',
  /** Counter: MOVED / ASK redirects followed, by `redis.client.redirection.kind`. */
  REDIRECTIONS: 'redis.client.cluster.redirections',
  /** Counter: retries after TRYAGAIN / CLUSTERDOWN / a lost connection, by `redis.client.retry.kind`. */
  RETRIES: 'redis.client.cluster.retries',
  /** Counter: completed topology loads and refreshes. */
  TOPOLOGY_REFRESHES: 'redis.client.cluster.topology.refreshes',
  /** Counter: topology changes applied (nodes added/removed, roles changed, slots moved). */
  TOPOLOGY_CHANGES: 'redis.client.cluster.topology.changes',
  /** Counter: nodes seen promoted to master by a topology change (failovers). */
  FAILOVERS: 'redis.client.cluster.failovers',
  /** Counter: errors reported by the client (`error` and `node-error` events), by `error.type`. */
  ERRORS: 'redis.client.errors',
  /** Counter: maintenance notifications and window events, by `redis.client.connection.notification`. */
  MAINTENANCE: 'redis.client.maintenance.notifications',
  /** Counter: pub/sub messages delivered (once per message, whatever the number of listeners), by `redis.client.pubsub.sharded`. */
  PUBSUB_MESSAGES: 'redis.client.pubsub.messages',
  /** Counter: sharded channels resubscribed on another node, by `redis.client.pubsub.resubscribe.reason`. */
  PUBSUB_RESUBSCRIBES: 'redis.client.pubsub.resubscribes',
  /** Counter: client-side cache lookups, by `redis.client.csc.result` (`hit` / `miss`). */
  CSC_REQUESTS: 'redis.client.csc.requests',
  /** Counter: client-side cache entries dropped, by `redis.client.csc.reason` (`eviction` / `invalidation`). */
  CSC_EVICTIONS: 'redis.client.csc.evictions',
  /** Observable gauge: entries in the client-side cache. */
  CSC_ITEMS: 'redis.client.csc.items',
} as const;

export const ATTRS = {
  DB_SYSTEM: 'db.system.name',
  DB_OPERATION: 'db.operation.name',
  DB_STATUS: 'db.response.status_code',
  BATCH_SIZE: 'db.operation.batch.size',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  ERROR_TYPE: 'error.type',
  POOL_NAME: 'db.client.connection.pool.name',
  CONNECTION_STATE: 'db.client.connection.state',
  REDIRECTION_KIND: 'redis.client.redirection.kind',
  RETRY_KIND: 'redis.client.retry.kind',
  NODE_ROLE: 'redis.client.node.role',
  NOTIFICATION: 'redis.client.connection.notification',
  PUBSUB_SHARDED: 'redis.client.pubsub.sharded',
  RESUBSCRIBE_REASON: 'redis.client.pubsub.resubscribe.reason',
  CSC_RESULT: 'redis.client.csc.result',
  CSC_REASON: 'redis.client.csc.reason',
  ERROR_ORIGIN: 'redis.client.errors.origin',
} as const;

/**
 * Groups of metrics that can be turned on separately (as node-redis's `enabledMetricGroups`):
 * - `command`: `db.client.operation.duration`;
 * - `connection-basic`: connection count and create time;
 * - `connection-advanced`: pending requests per node;
 * - `resiliency`: redirections, retries, topology refreshes/changes, failovers, errors, maintenance;
 * - `pubsub`: messages delivered and sharded resubscribes;
 * - `client-side-caching`: cache requests (hit/miss), evictions and items.
 */
export type MetricGroup = 'command' | 'connection-basic' | 'connection-advanced' | 'resiliency' | 'pubsub' | 'client-side-caching';

export const METRIC_GROUPS: readonly MetricGroup[] = ['command', 'connection-basic', 'connection-advanced', 'resiliency', 'pubsub', 'client-side-caching'];

/** Groups on when `metrics` does not list them: everything but the per-node pending requests. */
export const DEFAULT_METRIC_GROUPS: readonly MetricGroup[] = ['command', 'connection-basic', 'resiliency', 'pubsub', 'client-side-caching'];

/** Bucket boundaries (seconds) advised for the duration histograms (semantic conventions' recommendation). */
export const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Instrumentation scope name given to the MeterProvider. */
export const SCOPE_NAME = 'nest-redis-cluster';
