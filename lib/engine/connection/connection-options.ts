import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors/base.error.js';
import type { ReconnectStrategy } from './reconnect-strategy.js';
import { parseRedisUrl } from './redis-url.js';

/** Socket-level options of one node connection (node-redis names). */
export interface SocketOptions {
  /** Host name or IP. @default '127.0.0.1' (or the URL's host) */
  host?: string;
  /** TCP port. @default 6379 (or the URL's port) */
  port?: number;
  /**
   * `true` for TLS with Node's defaults (system CAs, verification on), or Node `tls.connect`
   * options (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`…). A `rediss://` URL implies `true`.
   * @default false
   */
  tls?: boolean | TlsConnectionOptions;
  /**
   * Milliseconds allowed for one connection attempt: TCP connect, TLS handshake and the Redis
   * handshake (HELLO/AUTH). A TLS client talking to a plaintext port fails here instead of hanging.
   * @default 5000
   */
  connectTimeout?: number;
  /** Enable TCP keepalive. @default true */
  keepAlive?: boolean;
  /** Milliseconds of idleness before the first keepalive probe. @default 5000 */
  keepAliveInitialDelay?: number;
  /** Disable Nagle's algorithm. @default true */
  noDelay?: boolean;
  /**
   * When and how to reconnect after the socket is lost: `false` never, a number of ms, or
   * `(retries, cause) => false | ms | Error`. The first attempt after a ready socket breaks is
   * immediate. @default exponential backoff 50·2^retries ms capped at 2000 ms, plus 0–199 ms jitter
   */
  reconnectStrategy?: ReconnectStrategy;
}

/** Options of one connection to one Redis node. */
export interface NodeConnectionOptions {
  /** `redis[s]://[[username][:password]@][host][:port]`; explicit fields below win over the URL. */
  url?: string;
  /** Socket options; see {@link SocketOptions}. */
  socket?: SocketOptions;
  /** ACL username (sent with HELLO/AUTH). @default 'default' when a password is set */
  username?: string;
  /** Password (ACL or `requirepass`). Never appears in errors or logs. */
  password?: string;
  /** Connection name sent with `CLIENT SETNAME`. */
  name?: string;
  /** Protocol version: 3 negotiates RESP3 with HELLO (needed for client-side caching and push). @default 3 */
  RESP?: 2 | 3;
  /**
   * Milliseconds a command may take from the moment it is issued (queueing, sending and the
   * reply) before it rejects with CommandTimeoutError. `0` disables the deadline. @default 5000
   */
  commandTimeout?: number;
  /** Milliseconds of read idleness after which a PING is sent; a PING that times out drops the socket. Off when 0. @default 0 */
  pingInterval?: number;
  /**
   * Most commands that may wait unsent (offline, or behind back-pressure); more are rejected at
   * once with QueueFullError. @default 100000
   */
  maxQueueLength?: number;
  /** Reject commands at once with ClientOfflineError while the connection is not ready. @default false */
  disableOfflineQueue?: boolean;
  /** Send `CLIENT SETINFO lib-name/lib-ver` (errors from servers older than 7.2 are ignored). @default true */
  clientInfo?: boolean;
}

/** Options after defaults and validation (what `NodeConnection` runs with; returned by `resolveNodeConnectionOptions`). */
export interface ResolvedNodeConnectionOptions {
  host: string;
  port: number;
  tls: false | TlsConnectionOptions;
  connectTimeout: number;
  keepAlive: boolean;
  keepAliveInitialDelay: number;
  noDelay: boolean;
  reconnectStrategy: ReconnectStrategy | undefined;
  username: string | undefined;
  password: string | undefined;
  name: string | undefined;
  RESP: 2 | 3;
  commandTimeout: number;
  pingInterval: number;
  maxQueueLength: number;
  disableOfflineQueue: boolean;
  clientInfo: boolean;
}

function nonNegative(value: unknown, option: string, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw new ConfigError(option, `must be a non-negative number${allowInfinity ? ' (or Infinity)' : ''}`);
  }
  return value;
}

function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigError(option, 'must be a string');
  return value;
}

function optionalBoolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, 'must be a boolean');
  return value;
}

function resolveTls(value: unknown, option: string, fromUrl: boolean): false | TlsConnectionOptions {
  if (value === undefined) return fromUrl ? {} : false;
  if (value === false) {
    if (fromUrl) throw new ConfigError(option, 'is false but the URL uses rediss://');
    return false;
  }
  if (value === true) return {};
  if (typeof value === 'object' && value !== null) return value as TlsConnectionOptions;
  throw new ConfigError(option, 'must be a boolean or an object of tls.connect options');
}

function resolveReconnect(value: unknown, option: string): ReconnectStrategy | undefined {
  if (value === undefined || value === false || typeof value === 'function') return value as ReconnectStrategy | undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new ConfigError(option, 'must be false, a non-negative number of ms, or a function (retries, cause) => false | ms | Error');
}

/**
 * Validates node connection options and applies defaults. `prefix` is the option path used in
 * ConfigError messages (e.g. `rootNodes[0]`).
 * @internal
 */
export function resolveNodeConnectionOptions(options: NodeConnectionOptions, prefix = ''): ResolvedNodeConnectionOptions {
  const p = (name: string) => (prefix ? `${prefix}.${name}` : name);
  if (typeof options !== 'object' || options === null) throw new ConfigError(prefix || 'options', 'must be an object');
  const url = options.url !== undefined ? parseRedisUrl(optionalString(options.url, p('url'))!, p('url')) : undefined;
  const socket = options.socket ?? {};
  if (typeof socket !== 'object' || socket === null) throw new ConfigError(p('socket'), 'must be an object');
  const host = optionalString(socket.host, p('socket.host')) ?? url?.host ?? '127.0.0.1';
  const port = nonNegative(socket.port, p('socket.port'), url?.port ?? 6379);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(p('socket.port'), 'must be an integer from 1 to 65535');
  const RESP = options.RESP ?? 3;
  if (RESP !== 2 && RESP !== 3) throw new ConfigError(p('RESP'), 'must be 2 or 3');
  const maxQueueLength = nonNegative(options.maxQueueLength, p('maxQueueLength'), 100_000, true);
  return {
    host,
    port,
    tls: resolveTls(socket.tls, p('socket.tls'), url?.tls ?? false),
    connectTimeout: nonNegative(socket.connectTimeout, p('socket.connectTimeout'), 5000),
    keepAlive: optionalBoolean(socket.keepAlive, p('socket.keepAlive'), true),
    keepAliveInitialDelay: nonNegative(socket.keepAliveInitialDelay, p('socket.keepAliveInitialDelay'), 5000),
    noDelay: optionalBoolean(socket.noDelay, p('socket.noDelay'), true),
    reconnectStrategy: resolveReconnect(socket.reconnectStrategy, p('socket.reconnectStrategy')),
    username: optionalString(options.username, p('username')) ?? url?.username,
    password: optionalString(options.password, p('password')) ?? url?.password,
    name: optionalString(options.name, p('name')),
    RESP,
    commandTimeout: nonNegative(options.commandTimeout, p('commandTimeout'), 5000),
    pingInterval: nonNegative(options.pingInterval, p('pingInterval'), 0),
    maxQueueLength,
    disableOfflineQueue: optionalBoolean(options.disableOfflineQueue, p('disableOfflineQueue'), false),
    clientInfo: optionalBoolean(options.clientInfo, p('clientInfo'), true),
  };
}
