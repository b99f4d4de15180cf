// nest-redis-cluster/keyv: a Keyv 5 store over the cluster (for cache-manager 7 and @nestjs/cache-manager).
// Loads no Nest code; needs only `keyv` in the app (an optional peer).
export { RedisClusterKeyvStore, type RedisClusterKeyvStoreOptions } from './integrations/keyv/cluster-keyv-store.js';
