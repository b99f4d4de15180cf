import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import { HandshakeRefusedError } from '../errors/connection.error.js';
import { movingEndpointType } from './endpoint-type.js';
import type { ResolvedMaintenanceOptions } from './types.js';

/** A handshake step as NodeConnection.addHandshakeExtension takes it. @internal */
export interface OptInStep {
  readonly args: string[];
  readonly onError: (error: Error) => Error | undefined;
}

/**
 * The opt-in sent after HELLO 3 on every (re)connect:
 * `CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type <type>`. A refusal is ignored in `'auto'`
 * mode and becomes a HandshakeRefusedError naming `maintNotifications` in `'enabled'` mode.
 * `address` is the connection's IP when known (for endpoint type `'auto'`).
 * @internal
 */
export function optInStep(options: ResolvedMaintenanceOptions, connection: Pick<ResolvedNodeConnectionOptions, 'host' | 'port' | 'tls'>, address: string | undefined): OptInStep {
  const type = movingEndpointType(options.endpointType, address, connection.tls !== false);
  return {
    args: ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', type],
    onError: (error) =>
      options.mode === 'enabled'
        ? new HandshakeRefusedError(
            `${connection.host}:${connection.port}`,
            `maintNotifications is 'enabled' but the server refused CLIENT MAINT_NOTIFICATIONS (${error.message}); use 'auto' for servers without maintenance notifications`,
            { cause: error },
          )
        : undefined,
  };
}

/**
 * Resolves host names in the background, so that the endpoint type `'auto'` can classify a
 * named host by its address when the (synchronous) handshake is built. Until the lookup answers,
 * or when it fails, the host is unknown (external).
 * @internal
 */
export class HostAddresses {
  private readonly addresses = new Map<string, string | undefined>();

  /** Starts resolving `host` unless it is an IP or already known. */
  resolve(host: string): void {
    if (isIP(host) || this.addresses.has(host)) return;
    this.addresses.set(host, undefined);
    lookup(host).then(
      (result) => this.addresses.set(host, result.address),
      () => undefined,
    );
  }

  /** The host itself when it is an IP, its resolved address, or undefined. */
  addressOf(host: string): string | undefined {
    return isIP(host) ? host : this.addresses.get(host);
  }
}
