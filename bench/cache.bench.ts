// `npx tsx bench/cache.bench.ts`: the client-side cache's hit path against a server round trip.
// Starts its own 3+3 cluster (ports 30501-30506, .bench-cache/), stops it (by recorded PID) at the end.
// Measures, on 100 keys read in turn (best of 5 interleaved rounds):
//   - GET hit (cache on, every read served locally): ns per awaited cluster.get();
//   - GET miss (cache on, the entry invalidated before each read): µs per read (round trip + store);
//   - GET with no cache: µs per sequential round trip, and ops/s with 64 reads in flight;
//   - HGETALL hit on a 10-field hash (the copy handed out on every hit);
//   - the bare cache lookup (no promise, no executor).
// Env: BENCH_CACHE_OPS (default 100000 hits per measurement; round trips and misses: a tenth), BENCH_CACHE_PORT (use a
// running cluster at this port instead of starting one).
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BasicClientSideCache, createCluster, type RedisCluster } from '../lib/index.js';
import { commandInfo } from '../lib/engine/commands/command-info.js';
// @ts-expect-error plain ESM helper without types
import { ensureRedis, startCluster, stopCluster } from '../scripts/lib/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PORTS = [30501, 30502, 30503, 30504, 30505, 30506];
const baseDir = join(root, '.bench-cache');
const OPS = Number(process.env['BENCH_CACHE_OPS'] ?? 100_000);
const external = process.env['BENCH_CACHE_PORT'] ? Number(process.env['BENCH_CACHE_PORT']) : undefined;
const KEYS = Array.from({ length: 100 }, (_, i) => `bench:csc:${i}`);

function client(port: number, cache?: BasicClientSideCache): RedisCluster {
  const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }], ...(cache ? { clientSideCache: cache } : {}) });
  cluster.on('error', () => undefined);
  cluster.on('node-error', () => undefined);
  return cluster;
}

/** Runs `body(i)` n times in sequence; returns ns per operation. */
async function timeSequential(n: number, body: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await body(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/**
 * Measures each named body in turn, `rounds` times (interleaved, so load changes on the machine
 * hit every kind alike), after one warm-up pass; returns the best ns per operation of each.
 */
async function interleaved(rounds: number, kinds: Record<string, { n: number; body: (i: number) => Promise<unknown> | unknown }>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (const kind of Object.values(kinds)) await timeSequential(Math.min(kind.n, 5000), kind.body);
  for (let round = 0; round < rounds; round++) {
    for (const [name, kind] of Object.entries(kinds)) best[name] = Math.min(best[name] ?? Infinity, await timeSequential(kind.n, kind.body));
  }
  return best;
}

/** Sync variant (no await per operation). */
function timeSync(n: number, body: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 5000); i++) body(i);
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) body(i);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n);
  }
  return best;
}

/** ops/s with `concurrency` reads in flight, over `n` reads. */
async function throughput(n: number, concurrency: number, read: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await read(next++);
    }),
  );
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function measure(port: number): Promise<void> {
  const cache = new BasicClientSideCache();
  const cached = client(port, cache);
  const plain = client(port);
  await Promise.all([cached.connect(), plain.connect()]);
  try {
    for (const key of KEYS) await plain.set(key, `value-of-${key}`);
    const hash = 'bench:csc:hash';
    await plain.hSet(hash, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field${i}`, `value${i}`])));

    const slowOps = Math.max(1000, Math.floor(OPS / 10));
    const t = await interleaved(5, {
      roundTrip: { n: slowOps, body: (i) => plain.get(KEYS[i % KEYS.length]!) },
      miss: {
        n: slowOps,
        body: (i) => {
          const key = KEYS[i % KEYS.length]!;
          cache.invalidate(key);
          return cached.get(key);
        },
      },
      hit: { n: OPS, body: (i) => cached.get(KEYS[i % KEYS.length]!) },
      hashHit: { n: OPS, body: () => cached.hGetAll(hash) },
    });
    const [roundTripNs, missNs, hitNs, hashHitNs] = [t['roundTrip']!, t['miss']!, t['hit']!, t['hashHit']!];
    const argv = ['GET', KEYS[0]!];
    const info = commandInfo(argv);
    const owner = cached.getNodeByKey(KEYS[0]!)!.address;
    await cached.get(KEYS[0]!);
    const lookupNs = timeSync(OPS * 10, () => cache.lookup(argv, info.keys, owner, false));
    const opsOff = await throughput(OPS, 64, (i) => plain.get(KEYS[i % KEYS.length]!));
    const opsOn = await throughput(OPS, 64, (i) => cached.get(KEYS[i % KEYS.length]!));
    const stats = cache.stats();

    const rows: Array<[string, string]> = [
      ['GET hit, awaited cluster.get() (cache on)', `${hitNs.toFixed(0)} ns`],
      ['GET miss: invalidate + round trip + store (cache on)', `${(missNs / 1000).toFixed(1)} µs`],
      ['GET round trip, sequential (cache off)', `${(roundTripNs / 1000).toFixed(1)} µs`],
      ['round trip / hit', `${(roundTripNs / hitNs).toFixed(0)}x`],
      ['miss / hit', `${(missNs / hitNs).toFixed(0)}x`],
      ['HGETALL hit, 10 fields (copy per hit)', `${hashHitNs.toFixed(0)} ns`],
      ['bare cache lookup (hit, no promise)', `${lookupNs.toFixed(0)} ns`],
      ['GET throughput, 64 in flight, cache off', `${opsOff.toFixed(0)} ops/s`],
      ['GET throughput, 64 in flight, cache on (hits)', `${opsOn.toFixed(0)} ops/s`],
    ];
    console.log(`\nclient-side cache: ${OPS} hits / ${slowOps} round trips per round, ${KEYS.length} keys, best of 5 interleaved rounds, node ${process.version}`);
    for (const [name, value] of rows) console.log(`  ${name.padEnd(56)} ${value}`);
    console.log(`  cache stats: hits ${stats.hitCount}, misses ${stats.missCount}, hit rate ${(stats.hitRate() * 100).toFixed(2)} %, average load ${stats.averageLoadPenalty().toFixed(3)} ms`);
  } finally {
    await Promise.all([cached.close(), plain.close()]);
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

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
