import { AskError, ClusterDownError, MovedError, NodeUnavailableReplyError, TryAgainError } from '../errors/reply.error.js';

/** What the executor does with a failed attempt. Classified once, here. @internal */
export type RedirectAction =
  | { readonly kind: 'moved'; readonly slot: number; readonly address: string }
  | { readonly kind: 'ask'; readonly slot: number; readonly address: string }
  | { readonly kind: 'tryagain' }
  | { readonly kind: 'clusterdown' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'none' };

const NONE: RedirectAction = { kind: 'none' };
const TRYAGAIN: RedirectAction = { kind: 'tryagain' };
const CLUSTERDOWN: RedirectAction = { kind: 'clusterdown' };
const UNAVAILABLE: RedirectAction = { kind: 'unavailable' };

/** @internal */
export function classifyRedirect(error: unknown): RedirectAction {
  if (error instanceof MovedError) return { kind: 'moved', slot: error.slot, address: error.address };
  if (error instanceof AskError) return { kind: 'ask', slot: error.slot, address: error.address };
  if (error instanceof TryAgainError) return TRYAGAIN;
  if (error instanceof ClusterDownError) return CLUSTERDOWN;
  if (error instanceof NodeUnavailableReplyError) return UNAVAILABLE;
  return NONE;
}

/**
 * Delay before retrying after TRYAGAIN / CLUSTERDOWN / an unavailable node: 10 ms doubling per
 * attempt, capped at 500 ms, never past the command's remaining time.
 * @internal
 */
export function retryDelay(attempt: number, remainingMs: number): number {
  return Math.max(0, Math.min(10 * 2 ** attempt, 500, remainingMs));
}

/**
 * Resolves a redirect target `host:port` (the host may be empty for `unknown-endpoint`, or `?`
 * when the hostname is unknown) against the address of the node that answered.
 * Returns undefined when it cannot be dialled (the caller refreshes the topology instead).
 * @internal
 */
export function resolveRedirectAddress(target: string, answeringHost: string): { host: string; port: number } | undefined {
  const colon = target.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host = target.slice(0, colon);
  const port = Number(target.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (host === '') host = answeringHost;
  if (host === '?') return undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}
