import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { RedisCluster } from 'nest-redis-cluster';
import { RedisCluster as ClientRedisCluster } from 'nest-redis-cluster/client';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  // One copy of the package whichever entry a class comes from (no dual-package hazard).
  if (ClientRedisCluster !== RedisCluster) throw new Error('nest-redis-cluster and nest-redis-cluster/client load different RedisCluster classes');
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const moduleSystem = typeof __filename === 'string' ? 'commonjs' : 'esm';
  // The runner (scripts/ci/consumers.mjs) waits for this line, sends its requests, then SIGTERM.
  console.log(`CONSUMER_READY ${JSON.stringify({ port, moduleSystem, node: process.version })}`);
}

bootstrap().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
