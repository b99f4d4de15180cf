import { isIP } from 'node:net';
import type { MaintEndpointType, MovingEndpointType } from './types.js';

/**
 * True for the addresses node-redis treats as private: 10/8, 172.16/12, 192.168/16, IPv6 unique
 * local (fc/fd), `::1` and link-local (fe80). 127.0.0.0/8 is *not* private here, as in node-redis
 * (redis-py would say internal). Non-IP text is not private.
 */
export function isPrivateAddress(ip: string): boolean {
  const version = isIP(ip);
  if (version === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (version === 6) {
    const lower = ip.toLowerCase();
    return lower.startsWith('fc') || lower.startsWith('fd') || lower === '::1' || lower.startsWith('fe80');
  }
  return false;
}

/**
 * The `moving-endpoint-type` to request for a connection. An explicit type is returned as is.
 * For `'auto'`: `address` is the connection's IP (the host itself, or what it resolved to;
 * undefined when unknown, which counts as external); private gives `internal-*`, otherwise
 * `external-*`; with TLS `*-fqdn`, otherwise `*-ip`.
 */
export function movingEndpointType(configured: MaintEndpointType, address: string | undefined, tls: boolean): MovingEndpointType {
  if (configured !== 'auto') return configured;
  const scope = address !== undefined && isPrivateAddress(address) ? 'internal' : 'external';
  return `${scope}-${tls ? 'fqdn' : 'ip'}`;
}
