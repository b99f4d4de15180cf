import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisClusterHealthModule } from 'nest-redis-cluster/health';
import { HealthController } from './health.controller.js';

@Module({ imports: [TerminusModule, RedisClusterHealthModule], controllers: [HealthController] })
export class HealthModule {}
