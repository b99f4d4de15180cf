// `npm run bench`: starts its own 3+3 cluster (ports 30301-30306), measures this client, ioredis
// Cluster (with and without auto-pipelining) and node-redis createCluster side by side, interleaved
// round by round, each run in its own child process; plus redis-benchmark --cluster as the ceiling.
// Writes bench/results/{results.json, results.md, results.svg}.
// Env: BENCH_DURATION_MS (default 3000), BENCH_WARMUP_MS (1000), BENCH_ROUNDS (2), BENCH_PROFILE=1
// (writes a CPU profile of this client's runs to bench/results/), BENCH_SCENARIOS (comma list),
// BENCH_CLIENTS (comma list, default the four clients; see EXTRA_CLIENT_NAMES), BENCH_PORT (first of
// the six cluster ports, default 30301), BENCH_RESULTS (output directory, default bench/results).
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLIENT_NAMES, type ClientName } from './clients.js';
import { markdownTable, svgChart, type Row } from './report.js';
// @ts-expect-error plain ESM helper without types
import { ensureRedis, startCluster, stopCluster } from '../scripts/lib/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = process.env['BENCH_RESULTS'] ?? join(root, 'bench', 'results');
const firstPort = Number(process.env['BENCH_PORT'] ?? 30301);
const PORTS = [0, 1, 2, 3, 4, 5].map((i) => firstPort + i);
const clientNames = (process.env['BENCH_CLIENTS']?.split(',') ?? [...CLIENT_NAMES]) as ClientName[];
const baseDir = join(root, '.bench-cluster');
const duration = Number(process.env['BENCH_DURATION_MS'] ?? 3000);
const warmup = Number(process.env['BENCH_WARMUP_MS'] ?? 1000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const profile = process.env['BENCH_PROFILE'] === '1';
const scenarios = (process.env['BENCH_SCENARIOS'] ?? 'getset:1,getset:64,getset:1024,pipeline:100,mget:10').split(',');

function runWorker(client: string, scenario: string): Promise<Row> {
  const args = ['--import', 'tsx'];
  // One directory per scenario: the loader thread writes a profile too; the biggest file is the client's.
  // The base build (nest-redis-cluster-base) gets its own directory, to compare the two side by side.
  if (profile && client.startsWith('nest-redis-cluster')) {
    const suffix = client === 'nest-redis-cluster' ? '' : `-${client.slice('nest-redis-cluster-'.length)}`;
    args.push('--cpu-prof', '--cpu-prof-dir', join(results, `profile-${scenario.replace(':', '-')}${suffix}`));
  }
  args.push(join(root, 'bench', 'worker.ts'), client, scenario, String(PORTS[0]), String(duration), String(warmup));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${client} ${scenario} exited with ${code}: ${out}`));
      resolve(JSON.parse(line) as Row);
    });
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function redisBenchmark(pipeline: number): Promise<number> {
  const { stdout } = await promisify(execFile)('redis-benchmark', ['--cluster', '-h', '127.0.0.1', '-p', String(PORTS[0]), '-t', 'get,set', '-n', '200000', '-c', '64', '-P', String(pipeline), '-q', '-d', '64'], { timeout: 120_000 });
  const rates = [...stdout.matchAll(/([\d.]+) requests per second/g)].map((m) => Number(m[1]));
  return rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
}

async function main(): Promise<void> {
  mkdirSync(results, { recursive: true });
  console.log('building dist/ (the bench measures the compiled package)');
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
  await ensureRedis({ log: (m: string) => console.log(m) });
  await stopCluster({ ports: PORTS, baseDir, remove: true }).catch(() => undefined);
  console.log('starting a 3+3 cluster on', PORTS.join(','));
  await startCluster({ ports: PORTS, baseDir });
  try {
    const ceiling = { p1: await redisBenchmark(1), p16: await redisBenchmark(16) };
    console.log(`redis-benchmark --cluster (GET/SET, 64 clients): -P 1 ${ceiling.p1.toFixed(0)} ops/s, -P 16 ${ceiling.p16.toFixed(0)} ops/s`);
    const samples = new Map<string, Row[]>();
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        // Rotate the start so no client always runs first (warmer or colder machine).
        const order = clientNames.map((_, i) => clientNames[(i + round) % clientNames.length]!);
        for (const client of order) {
          const row = await runWorker(client, scenario);
          console.log(JSON.stringify(row));
          const list = samples.get(`${client}|${scenario}`) ?? [];
          list.push(row);
          samples.set(`${client}|${scenario}`, list);
        }
      }
    }
    const rows: Row[] = [...samples.values()].map((list) => {
      const first = list[0]!;
      if (first.unsupported) return first;
      return {
        client: first.client,
        scenario: first.scenario,
        opsPerSec: median(list.map((r) => r.opsPerSec)),
        p50Us: median(list.map((r) => r.p50Us)),
        p99Us: median(list.map((r) => r.p99Us)),
        cpuUsPerOp: median(list.map((r) => r.cpuUsPerOp)),
      };
    });
    const clients = [...clientNames];
    const table = markdownTable(rows, scenarios, clients);
    const header = `Measured ${new Date().toISOString()} on ${process.platform} ${process.arch}, Node ${process.version}, ${rounds} interleaved rounds of ${duration} ms (+${warmup} ms warm-up), median per cell.\n` +
      `getset:N = GET/SET 50/50 with N commands in flight; pipeline:100 = batches of 100 GET/SET on one hash tag (ioredis pipelines must stay on one node; 4 batches in flight; latency per batch); mget:10 = cross-slot MGET of 10 keys (64 in flight).\n` +
      `Ceiling, redis-benchmark --cluster (GET/SET, 64 connections): -P 1 ≈ ${ceiling.p1.toFixed(0)} ops/s, -P 16 ≈ ${ceiling.p16.toFixed(0)} ops/s.\n\n`;
    writeFileSync(join(results, 'results.md'), header + table + '\n');
    writeFileSync(join(results, 'results.svg'), svgChart(rows, scenarios, clients));
    writeFileSync(join(results, 'results.json'), JSON.stringify({ ceiling, rows }, null, 2));
    console.log('\n' + header + table);
  } finally {
    await stopCluster({ ports: PORTS, baseDir, remove: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
