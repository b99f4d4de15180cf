/**
 * Message factories of the pub/sub handlers, the sharded-channel-moved and maintenance logs.
 * Like every message of the Nest layer they name clusters, nodes, slots, classes and methods,
 * never channel names or payloads (channel names may carry identifiers).
 */

export const scopedHandlerMessage = (className: string, method: string): string =>
  `${className}.${method} has pub/sub decorators but ${className} is request-scoped, transient, or depends on a request-scoped provider: ` +
  'it is not subscribed. Move the handler to a singleton provider, or subscribe with the cluster client (sSubscribe/subscribe/pSubscribe).';

export const unknownHandlerClusterMessage = (className: string, method: string, cluster: string): string =>
  `${className}.${method} has pub/sub decorators for the Redis cluster "${cluster}", which no RedisClusterModule registers: ` +
  'it is not subscribed.';

export const subscribeFailedMessage = (cluster: string, where: string, kind: string, error: unknown): string =>
  `Redis cluster "${cluster}": the ${kind} subscription of ${where} failed: ${errorText(error)}`;

export const unsubscribeFailedMessage = (cluster: string, where: string, kind: string, error: unknown): string =>
  `Redis cluster "${cluster}": removing the ${kind} subscription of ${where} failed: ${errorText(error)}`;

export const handlerFailedMessage = (cluster: string, where: string, error: unknown): string =>
  `Redis cluster "${cluster}": pub/sub handler ${where} failed: ${errorText(error)}`;

export const handlerFailureSummaryMessage = (cluster: string, where: string, count: number, windowMs: number, last: string): string =>
  `Redis cluster "${cluster}": pub/sub handler ${where} failed ${count} more time(s) in the last ${Math.round(windowMs / 1000)} s (last: ${last})`;

export const channelMovedMessage = (
  cluster: string,
  slot: number,
  info: { from?: string | undefined; to: string; unsubscribedMs: number; reason: string },
): string =>
  `Redis cluster "${cluster}": a sharded channel of slot ${slot} moved ${info.from ? `from ${info.from} ` : ''}to ${info.to} (${info.reason}); ` +
  `it was not subscribed for ${info.unsubscribedMs} ms (messages published then were missed)`;

export const channelsUnplacedMessage = (cluster: string, count: number, info: { slot: number; attempt: number; retryInMs: number; unsubscribedMs: number; cause: Error }): string =>
  `Redis cluster "${cluster}": ${count} sharded channel(s) of slot ${info.slot} not subscribed for ${info.unsubscribedMs} ms; ` +
  `placing them failed (attempt ${info.attempt}: ${info.cause.message}), next try in ${info.retryInMs} ms`;

export const channelMovedSummaryMessage = (cluster: string, to: string, count: number, windowMs: number, last: string): string =>
  `Redis cluster "${cluster}": ${count} more sharded channel(s) moved to ${to} in the last ${Math.round(windowMs / 1000)} s (last: ${last})`;

export const maintenanceWindowMessage = (cluster: string, node: string, opened: boolean, type: string): string =>
  opened
    ? `Redis cluster "${cluster}": node ${node} entered a maintenance window (${type}); its commands get relaxed timeouts until it ends`
    : `Redis cluster "${cluster}": node ${node} left its maintenance window (${type})`;

export const maintenanceSummaryMessage = (cluster: string, node: string, opened: boolean, count: number, windowMs: number): string =>
  `Redis cluster "${cluster}": node ${node} ${opened ? 'entered' : 'left'} a maintenance window ${count} more time(s) in the last ${Math.round(windowMs / 1000)} s`;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
