import { RedisClusterError } from '../errors/base.error.js';
import { ConnectionError } from '../errors/connection.error.js';

/**
 * The credentials provider failed (threw, rejected, or returned something that is not
 * `{ username?: string, password?: string }`): the connection attempt fails with this error and
 * follows `reconnectStrategy`. The message names the provider call, never a value.
 */
export class CredentialsProviderError extends ConnectionError {
  override readonly code = 'ERR_REDIS_CREDENTIALS_PROVIDER';
}

/**
 * A live connection's re-authentication with pushed credentials was refused (or got no reply).
 * The connection is kept with the identity it had (Redis leaves a connection's user unchanged
 * when AUTH fails); the next pushed credentials are tried again.
 */
export class ReAuthenticationError extends RedisClusterError {
  readonly code = 'ERR_REDIS_REAUTH';
  /** `host:port` of the node. */
  readonly address: string;

  constructor(address: string, message: string, options?: { cause?: unknown }) {
    super(`${address}: ${message}`, options);
    this.address = address;
  }
}
