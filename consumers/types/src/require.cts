// CommonJS file (compiled to require()) importing the ESM package: allowed by TypeScript >= 5.8 under
// module nodenext, because Node >= 20.19 / 22.12 can require() ES modules. Checked in tsconfig.nodenext.json only.
import { createCluster, type RedisCluster } from 'nest-redis-cluster/client';
import { RedisClusterModule } from 'nest-redis-cluster';
import { RedisClusterHealthModule } from 'nest-redis-cluster/health';

export const make = (): RedisCluster => createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
export const modules = [RedisClusterModule, RedisClusterHealthModule];
