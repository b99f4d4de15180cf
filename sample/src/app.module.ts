import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { RedisClusterModule } from 'nest-redis-cluster';
import { CatalogModule } from './catalog/catalog.module.js';
import { HealthModule } from './health/health.module.js';
import { NotesModule } from './notes/notes.module.js';
import { OrdersModule } from './orders/orders.module.js';

/** Seeds from `REDIS_CLUSTER_NODES`: comma-separated `redis://host:port` URLs. */
export function rootNodesFrom(value: string): Array<{ url: string }> {
  return value
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean)
    .map((url) => ({ url }));
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    RedisClusterModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        rootNodes: rootNodesFrom(config.get<string>('REDIS_CLUSTER_NODES', 'redis://127.0.0.1:7000')),
        bootstrapTimeout: 10_000,
        shutdownTimeout: 5_000,
        cache: { namespace: 'sample', ttl: 30_000 },
      }),
    }),
    CatalogModule,
    NotesModule,
    OrdersModule,
    HealthModule,
  ],
})
export class AppModule {}
