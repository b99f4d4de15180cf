import { RedisClusterError } from './base.error.js';

/** A socket to a node failed or closed. `address` is `host:port`. */
export class ConnectionError extends RedisClusterError {
  readonly code: string = 'ERR_REDIS_CONNECTION';
  /** `host:port` of the node. */
  readonly address: string;
  /**
   * True when the failed command had been written to the socket before it broke: it may have run
   * on the server, so it is never re-sent automatically.
   */
  readonly mayHaveRun: boolean;

  constructor(address: string, message: string, options?: { cause?: unknown; mayHaveRun?: boolean }) {
    super(`${address}: ${message}`, options);
    this.address = address;
    this.mayHaveRun = options?.mayHaveRun ?? false;
  }
}

/** The socket closed while commands were in flight. */
export class ConnectionClosedError extends ConnectionError {
  override readonly code = 'ERR_REDIS_CONNECTION_CLOSED';
}

/** TCP/TLS connect (or the handshake) did not finish within `connectTimeout`. */
export class ConnectTimeoutError extends ConnectionError {
  override readonly code = 'ERR_REDIS_CONNECT_TIMEOUT';
}

/** AUTH/HELLO was refused: wrong username or password, or the user lacks permissions. */
export class AuthError extends ConnectionError {
  override readonly code = 'ERR_REDIS_AUTH';
}

/** The TLS handshake failed (certificate not trusted, name mismatch, or plaintext spoken to a TLS port). */
export class TlsError extends ConnectionError {
  override readonly code = 'ERR_REDIS_TLS';
}

/** The reconnect strategy returned an Error: the client stops reconnecting. */
export class ReconnectStrategyError extends ConnectionError {
  override readonly code = 'ERR_REDIS_RECONNECT_STRATEGY';
}

/** The node left the cluster topology; commands that were not sent to it are re-routed. */
export class NodeRemovedError extends ConnectionError {
  override readonly code = 'ERR_REDIS_NODE_REMOVED';
}

/**
 * A handshake step that the configuration requires was refused (for example
 * `maintNotifications: 'enabled'` against a server without CLIENT MAINT_NOTIFICATIONS).
 * Fatal on the first connect: connect() rejects instead of retrying.
 */
export class HandshakeRefusedError extends ConnectionError {
  override readonly code = 'ERR_REDIS_HANDSHAKE_REFUSED';
}

/** The socket timed out (no data within the relaxed socket timeout) during a maintenance window. */
export class SocketTimeoutDuringMaintenanceError extends ConnectionError {
  override readonly code = 'ERR_REDIS_SOCKET_TIMEOUT_DURING_MAINTENANCE';
}
