// Uses the public API the way an app does, so that the published .d.ts are resolved and checked (skipLibCheck: false).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import {
  Cacheable,
  InjectCluster,
  RedisCacheService,
  RedisCluster,
  RedisClusterModule,
  type RedisClusterModuleOptions,
  type RedisClusterHealthDetails,
} from 'nest-redis-cluster';
import { createCluster, ConfigError, type RedisClusterOptions, type HealthReport } from 'nest-redis-cluster/client';
import { RedisClusterHealthIndicator, RedisClusterHealthModule } from 'nest-redis-cluster/health';


const options: RedisClusterModuleOptions = { rootNodes: [{ url: 'redis://127.0.0.1:7000' }] };
const clientOptions: RedisClusterOptions = { rootNodes: [{ socket: { host: '127.0.0.1', port: 7000 } }] };

@Injectable()
export class Service {
  constructor(
    @InjectCluster() private readonly cluster: RedisCluster,
    private readonly cache: RedisCacheService,
    private readonly health: RedisClusterHealthIndicator,
  ) {}

  @Cacheable({ key: 'k:{id}', ttl: 1000 })
  async read(id: string): Promise<string | null> {
    return this.cluster.get(`x:${id}`);
  }

  async report(): Promise<HealthReport> {
    await this.cache.get<string>('k');
    await this.health.isHealthy('redis');
    return this.cluster.healthReport({ timeoutMs: 100 });
  }
}

@Module({ imports: [RedisClusterModule.forRoot(options), RedisClusterHealthModule], providers: [Service] })
export class AppModule {}

export function standalone(): RedisCluster {
  const cluster = createCluster(clientOptions);
  cluster.on('error', (err) => {
    if (err instanceof ConfigError) throw err;
  });
  return cluster;
}

export type Details = RedisClusterHealthDetails['nodes'];

