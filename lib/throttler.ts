// nest-redis-cluster/throttler: a ThrottlerStorage for @nestjs/throttler 6 over the cluster.
// Loads nothing from @nestjs/throttler at run time (types only).
export { RedisClusterThrottlerStorage, type RedisClusterThrottlerStorageOptions, type ThrottlerStorageRecord } from './integrations/throttler/cluster-throttler-storage.js';
export { THROTTLER_SCRIPT, throttlerKeys } from './integrations/throttler/throttler-script.js';
