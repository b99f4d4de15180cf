import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { RedisClusterHealthIndicator } from 'nest-redis-cluster/health';

/** Readiness: 200 while every master answers and every slot is served; 503 otherwise and during shutdown. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisClusterHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.redis.isHealthy('redis', { timeoutMs: 1000 })]);
  }
}
