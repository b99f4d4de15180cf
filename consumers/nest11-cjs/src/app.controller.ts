import { Controller, Get, Param } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { InjectCluster, RedisCluster } from 'nest-redis-cluster';
import { RedisClusterHealthIndicator } from 'nest-redis-cluster/health';
import { CatalogService, type Product } from './catalog.service';

@Controller()
export class AppController {
  constructor(
    private readonly catalog: CatalogService,
    @InjectCluster() private readonly cluster: RedisCluster,
    private readonly health: HealthCheckService,
    private readonly redisHealth: RedisClusterHealthIndicator,
  ) {}

  /** A cached route: `reads` stays the same on the second request for an id. */
  @Get('products/:id')
  async product(@Param('id') id: string): Promise<{ product: Product; reads: number }> {
    const product = await this.catalog.findOne(id);
    return { product, reads: this.catalog.reads };
  }

  /** A command through @InjectCluster(). */
  @Get('counter/:key')
  async counter(@Param('key') key: string): Promise<{ value: number }> {
    return { value: await this.cluster.incr(`consumer:{${key}}:n`) };
  }

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.redisHealth.isHealthy('redis', { timeoutMs: 2000 })]);
  }
}
