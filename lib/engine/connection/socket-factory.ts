import net from 'node:net';
import tls from 'node:tls';
import type { ResolvedNodeConnectionOptions } from './connection-options.js';

/** Opens a TCP or TLS socket with the connection's options; 'ready' is emitted on (secure) connect. @internal */
export function createSocket(options: ResolvedNodeConnectionOptions): { socket: net.Socket; readyEvent: 'connect' | 'secureConnect' } {
  if (options.tls) {
    const servername = options.tls.servername ?? (net.isIP(options.host) ? undefined : options.host);
    const socket = tls.connect({ ...options.tls, host: options.host, port: options.port, ...(servername ? { servername } : {}) });
    return { socket, readyEvent: 'secureConnect' };
  }
  const socket = net.connect({ host: options.host, port: options.port });
  return { socket, readyEvent: 'connect' };
}

const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** True for errors raised by TLS certificate verification or a TLS/plaintext mismatch. @internal */
export function isTlsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TLS_ERROR_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) return true;
  return false;
}
