/** Message factories of the Nest layer (messages name options, clusters and nodes, never values). */

export const duplicateClusterMessage = (name: string): string =>
  `RedisClusterModule: the cluster name "${name}" is registered more than once (forRoot/forRootAsync). ` +
  'Give each cluster its own "name", or import one RedisClusterModule and share it (isGlobal: true).';

export const bootstrapTimeoutMessage = (name: string, timeoutMs: number): string =>
  `Redis cluster "${name}" was not ready within bootstrapTimeout (${timeoutMs} ms)`;

export const bootstrapRetryMessage = (name: string, attempt: number, delayMs: number, reason: string): string =>
  `Redis cluster "${name}" is not ready yet (attempt ${attempt}: ${reason}); retrying in ${delayMs} ms`;

export const connectedMessage = (name: string, masters: number, ms: number): string =>
  `Redis cluster "${name}" is ready: ${masters} master(s), topology loaded in ${ms} ms`;

export const shutdownTimeoutMessage = (name: string, timeoutMs: number): string =>
  `Redis cluster "${name}": in-flight commands did not settle within shutdownTimeout (${timeoutMs} ms); closing the sockets now`;

export const requestScopedMessage = (className: string, method: string): string =>
  `${className}.${method} has cache decorators but ${className} is request-scoped or depends on a request-scoped provider: ` +
  'its methods are not cached. Use the injectable RedisCacheService instead.';

export const unknownCacheClusterMessage = (className: string, method: string, cluster: string): string =>
  `${className}.${method} has cache decorators for the Redis cluster "${cluster}", which no RedisClusterModule registers: ` +
  'its results are not cached.';

export const cacheFailOpenMessage = (operation: string, error: unknown): string =>
  `Cache ${operation} failed, continuing without the cache: ${error instanceof Error ? error.message : String(error)}`;
