import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { constants as bufferConstants } from 'node:buffer';
import { ConfigError } from '../errors/base.error.js';
import { DEFAULT_MAX_BULK_LENGTH } from '../resp/decoder.js';
import type { ReconnectStrategy } from './reconnect-strategy.js';
import { parseRedisUrl } from './redis-url.js';
import type { CredentialsProvider } from '../auth/credentials-provider.js';
import { checkCredentialsProvider, CredentialsSource } from '../auth/credentials-source.js';
import { Secret } from '../auth/secret.js';

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
  /**
   * Liveness under load, in milliseconds: a socket with commands awaiting their replies that has
   * read nothing for this long is declared dead and failed like a reset (commands it carried reject
   * with ConnectionClosedError `mayHaveRun: true`, unsent ones wait for the reconnection, which
   * follows `reconnectStrategy`). Catches a peer that vanished without a FIN or RST (frozen process,
   * dropped network path), which TCP alone reports only after ~15 minutes. `0` turns it off.
   *
   * The silence is counted from the later of the last read and the moment commands started waiting
   * on an idle socket. The oldest command awaiting a reply decides how much silence is normal:
   * - a command given a longer timeout of its own (`timeout`/`deadline`, or a maintenance-relaxed
   *   one) may be silent for that long;
   * - a blocking command (BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BZPOPMIN/BZPOPMAX/BLMPOP/BZMPOP, XREAD and
   *   XREADGROUP with BLOCK, WAIT, WAITAOF) may be silent for its blocking time plus this timeout,
   *   and one that blocks forever (timeout 0) is never declared dead while it is the oldest.
   * An idle socket (nothing in flight) is never checked: see `pingInterval` for idle checks.
   * @default 5000
   */
  livenessTimeout?: number;
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
  /**
   * Rotating credentials (node-redis 5's shape): an `async-credentials-provider` asked on every new
   * connection, or a `streaming-credentials-provider` whose pushed credentials re-authenticate every
   * live connection (see docs). Exclusive with `username`/`password` (ConfigError when both).
   */
  credentialsProvider?: CredentialsProvider;
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
   * Most commands held for the node at once: unsent (offline, or behind back-pressure) plus written
   * and awaiting their reply. One more is rejected at once (synchronously, before anything is
   * queued) with QueueFullError. @default 100000
   */
  maxQueueLength?: number;
  /** Reject commands at once with ClientOfflineError while the connection is not ready. @default false */
  disableOfflineQueue?: boolean;
  /** Send `CLIENT SETINFO lib-name/lib-ver` (errors from servers older than 7.2 are ignored). @default true */
  clientInfo?: boolean;
  /**
   * Largest bulk string accepted in a reply, in bytes. A longer one (announced in its header) is a
   * ProtocolError: the commands in flight on that socket reject with it and the socket is dropped
   * (then reconnected). Bulk strings are never allocated at their announced size up front: the
   * buffer grows as bytes arrive. At most `buffer.constants.MAX_LENGTH`.
   * @default 536870912 (512 MiB, Redis's own `proto-max-bulk-len`)
   */
  maxBulkLength?: number;
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
  livenessTimeout: number;
  username: string | undefined;
  /** Held in a {@link Secret}: no inspect, JSON or spread of the options can show it. */
  password: Secret | undefined;
  /** The provider's credentials for this connection (shared by every connection of one client). */
  credentials: CredentialsSource | undefined;
  name: string | undefined;
  RESP: 2 | 3;
  commandTimeout: number;
  pingInterval: number;
  maxQueueLength: number;
  disableOfflineQueue: boolean;
  clientInfo: boolean;
  maxBulkLength: number;
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

function maxBulkLength(value: unknown, option: string): number {
  if (value === undefined) return DEFAULT_MAX_BULK_LENGTH;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > bufferConstants.MAX_LENGTH) {
    throw new ConfigError(option, `must be an integer from 1 to ${bufferConstants.MAX_LENGTH}`);
  }
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
export function resolveNodeConnectionOptions(options: NodeConnectionOptions, prefix = '', sources?: Map<CredentialsProvider, CredentialsSource>): ResolvedNodeConnectionOptions {
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
  const username = optionalString(options.username, p('username')) ?? url?.username;
  const password = optionalString(options.password, p('password')) ?? url?.password;
  let credentials: CredentialsSource | undefined;
  if (options.credentialsProvider !== undefined) {
    const provider = checkCredentialsProvider(options.credentialsProvider, p('credentialsProvider'));
    if (username !== undefined || password !== undefined) {
      throw new ConfigError(p('credentialsProvider'), 'cannot be given with username/password (or URL credentials): choose one');
    }
    credentials = sources?.get(provider) ?? new CredentialsSource(provider);
    sources?.set(provider, credentials);
  }
  return {
    host,
    port,
    tls: resolveTls(socket.tls, p('socket.tls'), url?.tls ?? false),
    connectTimeout: nonNegative(socket.connectTimeout, p('socket.connectTimeout'), 5000),
    keepAlive: optionalBoolean(socket.keepAlive, p('socket.keepAlive'), true),
    keepAliveInitialDelay: nonNegative(socket.keepAliveInitialDelay, p('socket.keepAliveInitialDelay'), 5000),
    noDelay: optionalBoolean(socket.noDelay, p('socket.noDelay'), true),
    reconnectStrategy: resolveReconnect(socket.reconnectStrategy, p('socket.reconnectStrategy')),
    livenessTimeout: nonNegative(socket.livenessTimeout, p('socket.livenessTimeout'), 5000),
    username,
    password: Secret.of(password),
    credentials,
    name: optionalString(options.name, p('name')),
    RESP,
    commandTimeout: nonNegative(options.commandTimeout, p('commandTimeout'), 5000),
    pingInterval: nonNegative(options.pingInterval, p('pingInterval'), 0),
    maxQueueLength,
    disableOfflineQueue: optionalBoolean(options.disableOfflineQueue, p('disableOfflineQueue'), false),
    clientInfo: optionalBoolean(options.clientInfo, p('clientInfo'), true),
    maxBulkLength: maxBulkLength(options.maxBulkLength, p('maxBulkLength')),
  };
}
