import { ConfigError } from '../errors/base.error.js';
import { resolveNodeConnectionOptions, type NodeConnectionOptions, type ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import type { MaintenanceOptions } from '../maintenance/types.js';
import type { ClientSideCacheOption } from '../cache/basic-client-side-cache.js';
import type { CredentialsProvider } from '../auth/credentials-provider.js';
import type { CredentialsSource } from '../auth/credentials-source.js';
import type { ObservabilityOptions } from '../observability/options.js';

/** A seed node: a URL, or socket host/port (plus optional per-seed credentials or TLS). */
export type RootNodeOptions = Pick<NodeConnectionOptions, 'url' | 'socket' | 'username' | 'password' | 'credentialsProvider'>;

/** Maps an announced address to the one to dial (NAT, Docker, Kubernetes, TCP proxies). */
export type NodeAddressMap =
  | Record<string, { host: string; port: number }>
  | ((address: string) => { host: string; port: number } | undefined);

/** Options of the per-node pool of dedicated connections (blocking commands, WATCH/MULTI). */
export interface PoolOptions {
  /** Most dedicated connections per node. @default 8 */
  maxSize?: number;
  /** Dedicated connections kept open per node even when idle. @default 0 */
  minIdle?: number;
  /** Milliseconds an idle dedicated connection is kept before it is closed. @default 30000 */
  idleTimeout?: number;
  /** Milliseconds to wait for a free dedicated connection before rejecting. @default 5000 */
  acquireTimeout?: number;
}

/**
 * Options of {@link createCluster}; names follow node-redis's `createCluster`. The maintenance
 * notification options (`maintNotifications`, `maintEndpointType`, `maintRelaxedCommandTimeout`,
 * `maintRelaxedSocketTimeout`) are documented on {@link MaintenanceOptions}.
 */
export interface RedisClusterOptions extends MaintenanceOptions {
  /** Seeds for discovery; any reachable one is enough. */
  rootNodes: RootNodeOptions[];
  /**
   * Connection options applied to every node, including nodes discovered later (auth, TLS,
   * socket options, `commandTimeout`, `RESP`…). Credentials and TLS given only on a root node are
   * inherited by every node too.
   */
  defaults?: Omit<NodeConnectionOptions, 'url'>;
  /** Send read-only commands to replicas (READONLY is sent on replica connections). @default false */
  useReplicas?: boolean;
  /** Most MOVED/ASK/TRYAGAIN/CLUSTERDOWN retries for one command. @default 16 */
  maxCommandRedirections?: number;
  /** Rewrites announced node addresses, as an object keyed by `host:port` or a function. */
  nodeAddressMap?: NodeAddressMap;
  /** Refuse to start, and report `down`, unless all 16384 slots are served. @default true */
  requireFullCoverage?: boolean;
  /** Milliseconds between periodic topology refreshes; 0 turns them off. @default 30000 */
  topologyRefreshInterval?: number;
  /** Per-node pool of dedicated connections; see {@link PoolOptions}. */
  pool?: PoolOptions;
  /**
   * Client-side caching over RESP3 tracking: `{ ttl, maxEntries, evictPolicy }` or a
   * `BasicClientSideCache` instance (to call `invalidate`, `clear`, `stats` on). Off by default.
   */
  clientSideCache?: ClientSideCacheOption;
  /** Named Lua scripts (source text, or `defineScript()` results) for `runScript(name, …)`. */
  scripts?: Record<string, string | { readonly script: string; readonly sha1: string; readonly readOnly: boolean }>;
  /** TracingChannels (on; free without subscribers) and OpenTelemetry metrics (off); see {@link ObservabilityOptions}. */
  observability?: ObservabilityOptions;
}

/** @internal */
export interface ResolvedClusterOptions {
  rootNodes: ResolvedNodeConnectionOptions[];
  /** Options for a node at host:port (defaults + inherited credentials/TLS). */
  nodeOptions: (host: string, port: number, hostname?: string) => ResolvedNodeConnectionOptions;
  useReplicas: boolean;
  maxCommandRedirections: number;
  mapAddress: (host: string, port: number) => { host: string; port: number };
  requireFullCoverage: boolean;
  topologyRefreshInterval: number;
  pool: Required<PoolOptions>;
  tls: boolean;
  /** One source per distinct credentials provider (subscribed lazily, disposed on close). */
  credentialSources: CredentialsSource[];
}

const CLUSTER_KEYS = new Set(['rootNodes', 'defaults', 'useReplicas', 'maxCommandRedirections', 'nodeAddressMap', 'requireFullCoverage', 'topologyRefreshInterval', 'pool', 'scripts', 'clientSideCache', 'observability']);
const NODE_KEYS = new Set(['url', 'socket', 'username', 'password', 'credentialsProvider', 'name', 'RESP', 'commandTimeout', 'pingInterval', 'maxQueueLength', 'disableOfflineQueue', 'clientInfo', 'maxBulkLength']);
const SOCKET_KEYS = new Set(['host', 'port', 'tls', 'connectTimeout', 'keepAlive', 'keepAliveInitialDelay', 'noDelay', 'reconnectStrategy', 'livenessTimeout']);
const POOL_KEYS = new Set(['maxSize', 'minIdle', 'idleTimeout', 'acquireTimeout']);
const MAINTENANCE_KEYS = new Set(['maintNotifications', 'maintPushNotifications', 'maintEndpointType', 'maintRelaxedCommandTimeout', 'maintRelaxedSocketTimeout']);
/** Options of the Nest module that createCluster must not silently accept (they would do nothing there). */
const NEST_ONLY_KEYS = ['name', 'isGlobal', 'lazyConnect', 'bootstrapTimeout', 'shutdownTimeout', 'cache', 'logging'] as const;

/** Throws a ConfigError naming the first key of `value` that is not in `allowed`. @internal */
export function rejectUnknownKeys(value: object, allowed: ReadonlySet<string>, prefix: string, extra: ReadonlySet<string> = new Set()): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key) && !extra.has(key)) throw new ConfigError(prefix ? `${prefix}.${key}` : key, 'is not a known option');
  }
}

function integerIn(value: unknown, option: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(option, `must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
  }
  return value;
}

function checkNodeShape(value: object, prefix: string): void {
  rejectUnknownKeys(value, NODE_KEYS, prefix);
  const socket = (value as { socket?: unknown }).socket;
  if (socket !== undefined && (typeof socket !== 'object' || socket === null)) throw new ConfigError(`${prefix}.socket`, 'must be an object');
  if (socket) rejectUnknownKeys(socket, SOCKET_KEYS, `${prefix}.socket`);
}

function makeAddressMapper(map: NodeAddressMap | undefined): (host: string, port: number) => { host: string; port: number } {
  if (map === undefined) return (host, port) => ({ host, port });
  if (typeof map === 'function') return (host, port) => map(`${host}:${port}`) ?? { host, port };
  if (typeof map !== 'object' || map === null) throw new ConfigError('nodeAddressMap', 'must be an object or a function');
  for (const [key, target] of Object.entries(map)) {
    if (typeof target !== 'object' || target === null || typeof target.host !== 'string' || typeof target.port !== 'number') {
      throw new ConfigError(`nodeAddressMap["${key}"]`, 'must be { host: string, port: number }');
    }
  }
  return (host, port) => map[`${host}:${port}`] ?? { host, port };
}

/** Validates cluster options (every problem names its option) and applies defaults. @internal */
export function resolveClusterOptions(options: RedisClusterOptions): ResolvedClusterOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  for (const key of NEST_ONLY_KEYS) {
    if (Object.prototype.hasOwnProperty.call(options, key)) {
      throw new ConfigError(key, 'is an option of RedisClusterModule.forRoot/forRootAsync (the Nest layer), not of createCluster; remove it here');
    }
  }
  rejectUnknownKeys(options, CLUSTER_KEYS, '', MAINTENANCE_KEYS);
  if (!Array.isArray(options.rootNodes) || options.rootNodes.length === 0) throw new ConfigError('rootNodes', 'must be a non-empty array of { url } or { socket: { host, port } }');
  const defaults = options.defaults ?? {};
  if (typeof defaults !== 'object' || defaults === null) throw new ConfigError('defaults', 'must be an object');
  checkNodeShape(defaults, 'defaults');
  if ('url' in defaults) throw new ConfigError('defaults.url', 'is not allowed; give URLs in rootNodes');
  // One credentials source per provider for the whole client (every connection shares it).
  const sources = new Map<CredentialsProvider, CredentialsSource>();
  // Validate defaults on their own first, so that a bad default is reported as `defaults.…`.
  resolveNodeConnectionOptions({ ...defaults, socket: { ...defaults.socket, host: '127.0.0.1', port: 6379 } }, 'defaults', sources);
  const rootNodes = options.rootNodes.map((root, i) => {
    if (typeof root !== 'object' || root === null) throw new ConfigError(`rootNodes[${i}]`, 'must be an object');
    checkNodeShape(root, `rootNodes[${i}]`);
    const merged: NodeConnectionOptions = { ...defaults, ...root, socket: { ...defaults.socket, ...root.socket } };
    // A seed's own static credentials replace the default provider (and the other way round).
    if (root.credentialsProvider !== undefined) {
      if (root.password === undefined) delete merged.password;
      if (root.username === undefined) delete merged.username;
    } else if (root.password !== undefined || root.username !== undefined) {
      delete merged.credentialsProvider;
    }
    return resolveNodeConnectionOptions(merged, `rootNodes[${i}]`, sources);
  });
  // Credentials and TLS given only on a seed are inherited by every node, so a discovered node
  // never gets a plaintext or unauthenticated connection that would hang or fail.
  const seedWithAuth = rootNodes.find((r) => r.password !== undefined || r.credentials !== undefined);
  const seedWithTls = rootNodes.find((r) => r.tls !== false);
  const base = resolveNodeConnectionOptions({ ...defaults, socket: { ...defaults.socket, host: '127.0.0.1', port: 6379 } }, 'defaults', sources);
  const fromSeed = base.password === undefined && base.credentials === undefined ? seedWithAuth : undefined;
  const inherited: ResolvedNodeConnectionOptions = {
    ...base,
    username: fromSeed?.credentials ? undefined : (base.username ?? seedWithAuth?.username),
    password: base.password ?? fromSeed?.password,
    credentials: base.credentials ?? fromSeed?.credentials,
    tls: base.tls !== false ? base.tls : (seedWithTls?.tls ?? false),
  };
  const poolIn = options.pool ?? {};
  if (typeof poolIn !== 'object' || poolIn === null) throw new ConfigError('pool', 'must be an object');
  rejectUnknownKeys(poolIn, POOL_KEYS, 'pool');
  const pool: Required<PoolOptions> = {
    maxSize: integerIn(poolIn.maxSize, 'pool.maxSize', 8, 1),
    minIdle: integerIn(poolIn.minIdle, 'pool.minIdle', 0, 0),
    idleTimeout: integerIn(poolIn.idleTimeout, 'pool.idleTimeout', 30_000, 0),
    acquireTimeout: integerIn(poolIn.acquireTimeout, 'pool.acquireTimeout', 5000, 0),
  };
  if (pool.minIdle > pool.maxSize) throw new ConfigError('pool.minIdle', 'must not exceed pool.maxSize');
  if (options.useReplicas !== undefined && typeof options.useReplicas !== 'boolean') throw new ConfigError('useReplicas', 'must be a boolean');
  if (options.requireFullCoverage !== undefined && typeof options.requireFullCoverage !== 'boolean') throw new ConfigError('requireFullCoverage', 'must be a boolean');
  return {
    rootNodes,
    nodeOptions: (host, port, hostname) => {
      const tls = inherited.tls === false ? false : { ...inherited.tls, ...(hostname && !inherited.tls.servername ? { servername: hostname } : {}) };
      return { ...inherited, host, port, tls };
    },
    useReplicas: options.useReplicas ?? false,
    maxCommandRedirections: integerIn(options.maxCommandRedirections, 'maxCommandRedirections', 16, 0),
    mapAddress: makeAddressMapper(options.nodeAddressMap),
    requireFullCoverage: options.requireFullCoverage ?? true,
    topologyRefreshInterval: integerIn(options.topologyRefreshInterval, 'topologyRefreshInterval', 30_000, 0),
    pool,
    tls: inherited.tls !== false,
    credentialSources: [...sources.values()],
  };
}
