/**
 * `nest-redis-cluster/health`: the Terminus health indicator. The only file of the package that
 * imports `@nestjs/terminus` (an optional peer dependency), so apps without Terminus never load it.
 */
import { Injectable, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, TerminusModule, type HealthIndicatorResult } from '@nestjs/terminus';
import { checkRedisCluster, type RedisClusterHealthCheckOptions } from './nest/health/redis-cluster-health.checker.js';

export type { RedisClusterHealthCheckOptions, RedisClusterHealthDetails, RedisClusterHealthResult } from './nest/health/redis-cluster-health.checker.js';

type Session<K extends string> = ReturnType<HealthIndicatorService['check']> & {
  up(data: Record<string, unknown>): HealthIndicatorResult<K>;
  down(data: Record<string, unknown>): HealthIndicatorResult<K>;
  degraded?(data: Record<string, unknown>): HealthIndicatorResult<K>;
};

/**
 * Terminus indicator of a Redis cluster's readiness: `up` when every master answers PING within
 * the deadline, `cluster_state` is ok and every slot is served; `degraded` when only replicas are
 * down or nodes are in a maintenance window (`maintenanceNodes` lists them), with Terminus
 * versions that have `degraded()`; older ones get `up` plus `degraded: true`;
 * `down` otherwise, and from `beforeApplicationShutdown` on. The result carries per-node detail.
 * It never throws.
 *
 * @example
 * ```ts
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.redis.isHealthy('redis', { timeoutMs: 500 })]);
 * }
 * ```
 */
@Injectable()
export class RedisClusterHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Checks the cluster named `options.cluster` (the default one when absent) and reports it under `key`. */
  async isHealthy<const K extends string>(key: K, options: RedisClusterHealthCheckOptions = {}): Promise<HealthIndicatorResult<K>> {
    const session = this.indicator.check(key) as unknown as Session<K>;
    const { status, details } = await checkRedisCluster(this.moduleRef, options);
    const data: Record<string, unknown> = { ...details };
    if (status === 'up') return session.up(data);
    if (status === 'degraded') {
      return typeof session.degraded === 'function' ? session.degraded(data) : session.up({ ...data, degraded: true });
    }
    return session.down(data);
  }
}

/**
 * Provides {@link RedisClusterHealthIndicator} (and Terminus' `HealthIndicatorService`). Import it
 * next to `TerminusModule` in the module of your health controller.
 */
@Module({
  imports: [TerminusModule],
  providers: [RedisClusterHealthIndicator],
  exports: [RedisClusterHealthIndicator],
})
export class RedisClusterHealthModule {}
