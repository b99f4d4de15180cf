import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisClusterModule } from 'nest-redis-cluster';
import { RedisClusterHealthModule } from 'nest-redis-cluster/health';
import { AppController } from './app.controller.js';
import { CatalogService } from './catalog.service.js';

const nodes = (process.env.CONSUMER_REDIS_NODES ?? 'redis://127.0.0.1:7000').split(',');

@Module({
  imports: [
    RedisClusterModule.forRoot({ rootNodes: nodes.map((url) => ({ url })), cache: { namespace: 'consumer' } }),
    TerminusModule,
    RedisClusterHealthModule,
  ],
  controllers: [AppController],
  providers: [CatalogService],
})
export class AppModule implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    Logger.log(`SHUTDOWN_HOOK ${signal ?? 'none'}`, 'Consumer');
  }
}
