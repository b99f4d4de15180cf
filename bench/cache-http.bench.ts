// `npx tsx bench/cache-http.bench.ts`: @Cacheable hits through a Nest HTTP route, side by side with
// @nestjs/cache-manager 12 + cache-manager 7 + @keyv/redis 5 (node-redis cluster) on the same cluster.
// Starts its own 3+3 cluster (ports 31721-31726, .bench-cluster/cache-http/), stops it (by recorded PID) at the end.
// Measures, for each variant:
//   - commands sent to the cluster per hit (INFO commandstats deltas over every node, 1,000 warm hits);
//   - hit throughput over HTTP (keep-alive, CONCURRENCY requests in flight, 100 warm keys), interleaved
//     rounds of ROUND_MS each, median and best req/s, p50/p99 latency of the median round;
//   - a stampede: 200 concurrent requests for one cold key, loader (50 ms "database") calls.
// Variants: ours with the cluster's client-side cache off (a hit = 1 GET), ours with it on (a hit = 0
// commands), cache-manager through CacheInterceptor (the documented Nest way), and cache-manager's
// wrap() in a service (the closest to @Cacheable). Servers and load generator share this process.
// Env: BENCH_ROUNDS (default 3), BENCH_ROUND_MS (default 3000), BENCH_CONCURRENCY (default 32),
// BENCH_CACHE_PORT (use a running cluster at this port instead of starting one).
import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Get, Inject, Injectable, Module, Param, UseInterceptors, type INestApplication, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CACHE_MANAGER, CacheInterceptor, CacheModule, type Cache } from '@nestjs/cache-manager';
import KeyvRedis, { Keyv } from '@keyv/redis';
import { Cacheable, RedisClusterModule } from '../lib/index.js';
// @ts-expect-error plain ESM helper without types
import { ensureRedis, startCluster, stopCluster } from '../scripts/lib/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PORTS = [31721, 31722, 31723, 31724, 31725, 31726];
const baseDir = join(root, '.bench-cluster', 'cache-http');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const external = process.env['BENCH_CACHE_PORT'] ? Number(process.env['BENCH_CACHE_PORT']) : undefined;
const KEYS = 100;
const STAMPEDE = 200;
const TTL_MS = 600_000;

/** The "database": counts calls; a stampede key answers after 50 ms. */
const db = { calls: new Map<string, number>() };
async function load(variant: string, id: string): Promise<{ id: string; name: string; price: number }> {
  db.calls.set(`${variant}:${id}`, (db.calls.get(`${variant}:${id}`) ?? 0) + 1);
  if (id.startsWith('cold')) await delay(50);
  return { id, name: `item ${id}`, price: id.length * 100 };
}

// ---- ours ----
@Injectable()
class OurItems {
  @Cacheable({ key: 'item:{0}', ttl: TTL_MS })
  async find(id: string): Promise<{ id: string; name: string; price: number }> {
    return load(process.env['BENCH_VARIANT'] ?? 'ours', id);
  }
}

@Controller('items')
class OurController {
  constructor(@Inject(OurItems) private readonly items: OurItems) {}

  @Get(':id')
  find(@Param('id') id: string): Promise<unknown> {
    return this.items.find(id);
  }
}

function ourModule(port: number, namespace: string, clientSideCache: boolean): DynamicModule {
  @Module({
    imports: [
      RedisClusterModule.forRoot({
        rootNodes: [{ url: `redis://127.0.0.1:${port}` }],
        logging: false,
        cache: { namespace },
        ...(clientSideCache ? { clientSideCache: { maxEntries: 10_000 } } : {}),
      }),
    ],
    providers: [OurItems],
    controllers: [OurController],
  })
  class OurAppModule {}
  return { module: OurAppModule };
}

// ---- @nestjs/cache-manager + @keyv/redis ----
@Injectable()
class ManagerItems {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  find(id: string): Promise<unknown> {
    return this.cache.wrap(`wrap:item:${id}`, () => load('cm-wrap', id), TTL_MS);
  }
}

@Controller('items')
class ManagerController {
  constructor(@Inject(ManagerItems) private readonly items: ManagerItems) {}

  /** The documented Nest way: CacheInterceptor caches the response by URL. */
  @Get(':id')
  @UseInterceptors(CacheInterceptor)
  find(@Param('id') id: string): Promise<unknown> {
    return load('cm-interceptor', id);
  }

  /** cache-manager's wrap() in a service. */
  @Get('wrap/:id')
  wrap(@Param('id') id: string): Promise<unknown> {
    return this.items.find(id);
  }
}

function managerModule(port: number, namespace: string): DynamicModule {
  @Module({
    imports: [
      CacheModule.register({
        ttl: TTL_MS,
        stores: [new Keyv({ store: new KeyvRedis({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] }), namespace })],
      }),
    ],
    providers: [ManagerItems],
    controllers: [ManagerController],
  })
  class ManagerAppModule {}
  return { module: ManagerAppModule };
}

// ---- measurement ----
interface Variant {
  readonly name: string;
  readonly path: (id: string) => string;
  /** The cached service method, called directly (no HTTP), when the variant has one. */
  readonly direct?: (app: INestApplication) => (id: string) => Promise<unknown>;
  app?: INestApplication;
  base?: string;
  readonly create: () => Promise<INestApplication>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function get(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${base}${path}`, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

async function throughput(variant: Variant): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = performance.now() + ROUND_MS;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        const status = await get(variant.base!, variant.path(String(n++ % KEYS)));
        if (status !== 200) throw new Error(`${variant.name}: HTTP ${status}`);
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / (ROUND_MS / 1000), p50: latencies[Math.floor(latencies.length / 2)]! * 1000, p99: latencies[Math.floor(latencies.length * 0.99)]! * 1000 };
}

/** Calls per command since the servers started, summed over every node (connection setup, INFO, QUIT and replication heartbeats left out). */
/** Hits per second calling the cached method directly, CONCURRENCY calls in flight, for ROUND_MS. */
async function directThroughput(call: (id: string) => Promise<unknown>): Promise<number> {
  const end = performance.now() + ROUND_MS;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await call(String(done++ % KEYS));
      }
    }),
  );
  return done / (ROUND_MS / 1000);
}

async function commandStats(port: number): Promise<Map<string, number>> {
  const { createCluster } = await import('../lib/index.js');
  const probe = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] });
  await probe.connect();
  const totals = new Map<string, number>();
  try {
    for (const node of [...probe.getPrimaries(), ...probe.getReplicas()]) {
      const text = await probe.nodeClient(node).sendCommand<string>(['INFO', 'commandstats']);
      for (const match of String(text).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (SETUP_COMMANDS.has(match[1]!)) continue;
        totals.set(match[1]!, (totals.get(match[1]!) ?? 0) + Number(match[2]));
      }
    }
  } finally {
    await probe.close();
  }
  return totals;
}

const SETUP_COMMANDS = new Set(['info', 'cluster|shards', 'cluster|slots', 'cluster|nodes', 'ping', 'client|tracking', 'hello', 'readonly', 'client|setinfo', 'client|setname', 'client|id', 'command', 'command|docs', 'command|info', 'quit', 'replconf']);

function deltaOf(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, calls] of after) if (calls - (before.get(name) ?? 0) > 0) out.set(name, calls - (before.get(name) ?? 0));
  return out;
}

async function measure(port: number): Promise<void> {
  const run = Date.now().toString(36);
  const variants: Variant[] = [
    { name: 'nest-redis-cluster @Cacheable, client-side cache off', path: (id) => `/items/${id}`, direct: (app) => (id) => app.get(OurItems).find(id), create: () => NestFactory.create(ourModule(port, `b-off-${run}`, false), { logger: false }) },
    { name: 'nest-redis-cluster @Cacheable, client-side cache on', path: (id) => `/items/${id}`, direct: (app) => (id) => app.get(OurItems).find(id), create: () => NestFactory.create(ourModule(port, `b-on-${run}`, true), { logger: false }) },
    { name: '@nestjs/cache-manager CacheInterceptor + @keyv/redis', path: (id) => `/items/${id}`, create: () => NestFactory.create(managerModule(port, `ci-${run}`), { logger: false }) },
    { name: '@nestjs/cache-manager wrap() + @keyv/redis', path: (id) => `/items/wrap/${id}`, direct: (app) => (id) => app.get(ManagerItems).find(id), create: () => NestFactory.create(managerModule(port, `cw-${run}`), { logger: false }) },
  ];
  for (const variant of variants) {
    variant.app = await variant.create();
    await variant.app.listen(0, '127.0.0.1');
    variant.base = `http://127.0.0.1:${(variant.app.getHttpServer().address() as AddressInfo).port}`;
  }
  try {
    const perHit: Record<string, number> = {};
    const breakdown: Record<string, string> = {};
    for (const variant of variants) {
      for (let i = 0; i < KEYS; i++) await get(variant.base!, variant.path(String(i))); // warm
      for (let i = 0; i < KEYS; i++) await get(variant.base!, variant.path(String(i)));
      const before = await commandStats(port);
      for (let i = 0; i < 1000; i++) await get(variant.base!, variant.path(String(i % KEYS)));
      const sent = deltaOf(before, await commandStats(port));
      perHit[variant.name] = [...sent.values()].reduce((a, b) => a + b, 0) / 1000;
      breakdown[variant.name] = [...sent].map(([name, calls]) => `${name} ${calls}`).join(', ') || 'none';
    }

    const results: Record<string, Array<{ rps: number; p50: number; p99: number }>> = {};
    const direct: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) (results[variant.name] ??= []).push(await throughput(variant));
      for (const variant of variants) if (variant.direct) (direct[variant.name] ??= []).push(await directThroughput(variant.direct(variant.app!)));
    }

    const stampede: Record<string, number> = {};
    const variantTags = ['ours', 'ours-csc', 'cm-interceptor', 'cm-wrap'];
    for (const [i, variant] of variants.entries()) {
      const id = `cold-${run}-${i}`;
      process.env['BENCH_VARIANT'] = variantTags[i];
      await Promise.all(Array.from({ length: STAMPEDE }, () => get(variant.base!, variant.path(id))));
      stampede[variant.name] = db.calls.get(`${variantTags[i]}:${id}`) ?? 0;
    }

    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const oursOff = median(results[variants[0]!.name]!.map((r) => r.rps));
    console.log(`\n@Cacheable over HTTP, ${new Date().toISOString()}, node ${process.version}, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, ${CONCURRENCY} requests in flight, ${KEYS} warm keys`);
    console.log('| variant | commands per hit | HTTP hit req/s (median) | best | p50 µs | p99 µs | vs ours (CSC off) | direct call hits/s (median, no HTTP) | stampede: loader calls for 200 concurrent cold requests |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const variant of variants) {
      const rounds = results[variant.name]!;
      const med = median(rounds.map((r) => r.rps));
      const mid = [...rounds].sort((a, b) => a.rps - b.rps)[Math.floor(rounds.length / 2)]!;
      console.log(
        `| ${variant.name} | ${perHit[variant.name]!.toFixed(2)} | ${med.toFixed(0)} | ${Math.max(...rounds.map((r) => r.rps)).toFixed(0)} | ${mid.p50.toFixed(0)} | ${mid.p99.toFixed(0)} | ${(med / oursOff).toFixed(2)}× | ${direct[variant.name] ? median(direct[variant.name]!).toFixed(0) : '–'} | ${stampede[variant.name]} |`,
      );
    }
    console.log('\ncommands sent during 1,000 hits:');
    for (const variant of variants) console.log(`  ${variant.name}: ${breakdown[variant.name]}`);
  } finally {
    for (const variant of variants) await variant.app?.close();
    agent.destroy();
  }
}

async function main(): Promise<void> {
  if (external !== undefined) return measure(external);
  await ensureRedis({ log: (m: string) => console.log(m) });
  await stopCluster({ ports: PORTS, baseDir, remove: true }).catch(() => undefined);
  console.log('starting a 3+3 cluster on', PORTS.join(','));
  await startCluster({ ports: PORTS, baseDir });
  try {
    await measure(PORTS[0]!);
  } finally {
    await stopCluster({ ports: PORTS, baseDir, remove: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
