// `npx tsx bench/cpu-per-command.ts`: this client's CPU per command under identical batching, side
// by side with another build of the package (the base) — the A/B check for hot-path changes.
//
// The throughput bench (`npm run bench`) lets each client run free, so its CPU per command depends
// on how many commands happen to share a socket write, which depends on the machine's load. Here
// every run is lockstep: BATCH commands issued in one tick, all awaited, repeated; both builds see
// the same batches, writes and replies, so what differs is the client's own work per command.
// Each (build, scenario, round) runs in its own child process (clean JIT and heap), interleaved.
//
// Env: CPU_BENCH_BASE_LIB (default ../dist-test/bench-base/dist/index.js), CPU_BENCH_ROUNDS (5),
// CPU_BENCH_OPS (200000 per run), CPU_BENCH_BATCH (256), CPU_BENCH_PORT (30311, six ports),
// CPU_BENCH_SCENARIOS (get,set,typed-mix,pipeline,send), CPU_BENCH_PROFILE=dir (a CPU profile per run).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILDS, clusterPorts, loadBuild, median, runChild, withBenchCluster } from './ab-support.js';

const PORTS = clusterPorts(Number(process.env['CPU_BENCH_PORT'] ?? 30311));
const rounds = Number(process.env['CPU_BENCH_ROUNDS'] ?? 5);
const totalOps = Number(process.env['CPU_BENCH_OPS'] ?? 200_000);
const batch = Number(process.env['CPU_BENCH_BATCH'] ?? 256);
const scenarios = (process.env['CPU_BENCH_SCENARIOS'] ?? 'get,set,typed-mix,pipeline,send').split(',');
const VALUE = 'x'.repeat(64);

interface Result {
  build: string;
  scenario: string;
  cpuUsPerOp: number;
}

/** Child: one build, one scenario; prints one JSON line. */
async function child(build: string, scenario: string): Promise<void> {
  const lib = await loadBuild(build);
  const cluster = lib.createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${PORTS[0]}` }], defaults: { commandTimeout: 10_000 } });
  await cluster.connect();
  const key = (i: number): string => `cpu:{k${i % 10_000}}`;
  const runBatch = async (start: number): Promise<void> => {
    const calls: Array<Promise<unknown>> = [];
    switch (scenario) {
      case 'get':
        for (let i = 0; i < batch; i++) calls.push(cluster.get(key(start + i)));
        break;
      case 'set':
        for (let i = 0; i < batch; i++) calls.push(cluster.set(key(start + i), VALUE));
        break;
      case 'typed-mix':
        for (let i = 0; i < batch; i++) {
          const k = key(start + i);
          calls.push(i % 4 === 0 ? cluster.set(k, VALUE, { EX: 60 }) : i % 4 === 1 ? cluster.incr(`${k}:n`) : i % 4 === 2 ? cluster.hGet(`${k}:h`, 'f') : cluster.get(k));
        }
        break;
      case 'send':
        for (let i = 0; i < batch; i++) calls.push(cluster.sendCommand(i & 1 ? ['GET', key(start + i)] : ['SET', key(start + i), VALUE]));
        break;
      case 'pipeline': {
        const p = cluster.pipeline();
        for (let i = 0; i < batch; i++) {
          if (i & 1) p.get(key(start + i));
          else p.set(key(start + i), VALUE);
        }
        calls.push(p.exec());
        break;
      }
      default:
        throw new Error(`unknown scenario ${scenario}`);
    }
    await Promise.all(calls);
  };
  // Warm-up (JIT), then the measured runs.
  for (let i = 0; i < totalOps / 4; i += batch) await runBatch(i);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < totalOps; i += batch) await runBatch(i);
  const cpu = process.cpuUsage(cpu0);
  await cluster.close();
  const result: Result = { build, scenario, cpuUsPerOp: (cpu.user + cpu.system) / totalOps };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function measure(build: string, scenario: string): Promise<Result> {
  const profileDir = process.env['CPU_BENCH_PROFILE'];
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, `${scenario}-${build}`)] : [];
  return runChild<Result>(fileURLToPath(import.meta.url), build, scenario, prof);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  await withBenchCluster(PORTS, '.cpu-bench-cluster', async () => {
    const samples = new Map<string, number[]>();
    const builds = Object.keys(BUILDS);
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
          const r = await measure(build, scenario);
          console.log(JSON.stringify(r));
          samples.set(`${scenario}|${build}`, [...(samples.get(`${scenario}|${build}`) ?? []), r.cpuUsPerOp]);
        }
      }
    }
    console.log(`\nlockstep batches of ${batch}, ${totalOps} ops per run, median of ${rounds} rounds (CPU µs per command)\n`);
    console.log('| scenario | current | base | current ÷ base |\n|---|---:|---:|---:|');
    for (const scenario of scenarios) {
      const cur = median(samples.get(`${scenario}|current`)!);
      const base = median(samples.get(`${scenario}|base`)!);
      console.log(`| ${scenario} | ${cur.toFixed(2)} | ${base.toFixed(2)} | ${(cur / base).toFixed(3)}× |`);
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
