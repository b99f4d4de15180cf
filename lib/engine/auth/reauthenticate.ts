import { ClientClosedError, CommandTimeoutError } from '../errors/base.error.js';
import { ConnectionError } from '../errors/connection.error.js';
import { ReplyError } from '../errors/reply.error.js';
import { QueuedCommand } from '../connection/queued-command.js';
import type { RedisArgument } from '../resp/types.js';
import type { Credentials } from './credentials-source.js';
import { ReAuthenticationError } from './credentials.errors.js';

/** What a re-authentication needs from its connection. @internal */
export interface ReauthHost {
  readonly address: string;
  /** RESP2 connection in subscriber mode: AUTH is refused there, so the socket is reopened. */
  readonly subscribedResp2: boolean;
  /** Queues a command after every command already issued (no limit, no deadline). */
  queue(command: QueuedCommand): void;
  /** Drops the current socket (the reconnection authenticates with the latest credentials). */
  reopen(error: Error): void;
}

/** The AUTH command for credentials. @internal */
export function authArgs(credentials: Credentials): RedisArgument[] {
  return credentials.username !== undefined ? ['AUTH', credentials.username, credentials.password ?? ''] : ['AUTH', credentials.password ?? ''];
}

/**
 * Re-authenticates one connection, in order with its commands: AUTH is queued like a command, so
 * commands issued before it run with the old identity and every command issued after it with the
 * new one. It has no deadline of its own (behind a blocking command it waits for it); the
 * connection's liveness check still applies.
 *
 * The rule on failure: a refused AUTH (WRONGPASS, NOPERM…) leaves the connection as it was (Redis
 * keeps the identity it had) and rejects with ReAuthenticationError, which the client reports; a
 * socket lost meanwhile resolves (its reconnection authenticates with the latest credentials).
 * On RESP3, AUTH is allowed in subscribed state; on a RESP2 subscriber connection it is not, so
 * that socket is reopened instead (its subscriptions are restored by the handshake).
 * @internal
 */
export function reauthenticate(credentials: Credentials, host: ReauthHost): Promise<void> {
  if (host.subscribedResp2) {
    host.reopen(new ConnectionError(host.address, 'reconnecting to switch credentials (AUTH is not allowed on a RESP2 subscriber connection)'));
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const command = new QueuedCommand(
      authArgs(credentials),
      false,
      0,
      Infinity,
      () => resolve(),
      (error) => {
        if (error instanceof ReplyError || error instanceof CommandTimeoutError) {
          reject(new ReAuthenticationError(host.address, `AUTH with the new credentials failed: ${error instanceof ReplyError ? error.prefix : error.code}`, { cause: error }));
        } else if (error instanceof ConnectionError || error instanceof ClientClosedError) {
          resolve();
        } else {
          reject(new ReAuthenticationError(host.address, `AUTH with the new credentials failed (${error.name})`));
        }
      },
      undefined,
      0,
    );
    host.queue(command);
  });
}
