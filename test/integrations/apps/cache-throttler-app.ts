// A Nest app run as its own process (node --import tsx/esm: only the ESM hook, so CommonJS packages require() the same
// ESM @nestjs/core instance instead of a transpiled copy), because @nestjs/throttler 6 is CommonJS that require()s
// the ESM @nestjs/common: plain Node 20.19+ loads that (require of ES modules), Jest's module system does not.
// Prints one JSON line {"port":N} once listening; on a "close" line on stdin it closes the app, reports the
// handles it still holds as {"closed":true,"leaks":[...]} and exits.
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Controller, Get, Inject, Module, Param, UseGuards, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CACHE_MANAGER, CacheInterceptor, CacheModule, CacheTTL } from '@nestjs/cache-manager';
import { Throttle, ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Cache } from 'cache-manager';
import Keyv from 'keyv';
import { RedisCluster, RedisClusterModule } from '../../../lib/index.js';
import { RedisClusterKeyvStore } from '../../../lib/keyv.js';
import { RedisClusterThrottlerStorage } from '../../../lib/throttler.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const SEED = env('APP_SEED_URL');
const NS = env('APP_CACHE_NAMESPACE');
const PREFIX = env('APP_THROTTLER_PREFIX');
export const BLOCK_MS = Number(env('APP_BLOCK_MS'));
export const WINDOW_MS = Number(env('APP_WINDOW_MS'));

const calls = { cached: 0, product: 0 };

@Controller()
class AppController {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  @Get('cached')
  @UseInterceptors(CacheInterceptor)
  @CacheTTL(60_000)
  cached(): { n: number; pid: number } {
    calls.cached++;
    return { n: calls.cached, pid: process.pid };
  }

  @Get('product/:id')
  async product(@Param('id') id: string): Promise<{ id: string; n: number }> {
    return this.cache.wrap(`product:${id}`, async () => ({ id, n: ++calls.product }), 60_000);
  }

  @Get('clear')
  async clear(): Promise<{ cleared: true }> {
    await this.cache.clear();
    return { cleared: true };
  }

  @Get('limited')
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 3, ttl: 60_000 } })
  limited(): string {
    return 'ok';
  }

  @Get('blocking')
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 2, ttl: WINDOW_MS, blockDuration: BLOCK_MS } })
  blocking(): string {
    return 'ok';
  }
}

@Module({
  imports: [
    RedisClusterModule.forRoot({ rootNodes: [{ url: SEED }], logging: false, isGlobal: true }),
    CacheModule.registerAsync({
      inject: [RedisCluster],
      useFactory: (cluster: RedisCluster) => ({ stores: [new Keyv({ store: new RedisClusterKeyvStore(cluster), namespace: NS })] }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [RedisCluster],
      useFactory: (cluster: RedisCluster) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: 100 }],
        storage: new RedisClusterThrottlerStorage(cluster, { prefix: PREFIX }),
      }),
    }),
  ],
  controllers: [AppController],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() !== 'close') continue;
    lines.close();
    await app.close();
    // Sockets to Redis or timers left after close() would keep this process alive: report them.
    const leaks = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout' || r === 'TCPServerWrap');
    process.stdout.write(`${JSON.stringify({ closed: true, leaks })}\n`);
    break;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`app failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
