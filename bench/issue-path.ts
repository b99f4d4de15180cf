// `npx tsx bench/issue-path.ts`: this build against the base build (see cpu-per-command.ts) in one
// process each, on the client's own path: 2,000 calls issued in one synchronous loop (no I/O until
// the loop ends, so the issuing cost is measured alone), then awaited; 300 repetitions, the first 50
// as warm-up. Reports ns per call for the issuing loop and for issuing through the last reply.
// Alternating runs, median per build. Less noisy than the lockstep bench for the issuing half.
//
// Env: ISSUE_BENCH_RUNS (7), ISSUE_BENCH_SCENARIOS (get,set,send,pipeline), ISSUE_BENCH_PORT (30341,
// six ports), CPU_BENCH_BASE_LIB (as cpu-per-command.ts).
import { fileURLToPath } from 'node:url';
import { clusterPorts, loadBuild, median, runChild, withBenchCluster } from './ab-support.js';

const PORTS = clusterPorts(Number(process.env['ISSUE_BENCH_PORT'] ?? 30341));
const runs = Number(process.env['ISSUE_BENCH_RUNS'] ?? 7);
const scenarios = (process.env['ISSUE_BENCH_SCENARIOS'] ?? 'get,set,send,pipeline').split(',');
const CALLS = 2000;
const REPS = 300;
const WARMUP = 50;
const VALUE = 'x'.repeat(64);

interface Result {
  build: string;
  scenario: string;
  issueNs: number;
  totalNs: number;
}

async function child(build: string, scenario: string): Promise<void> {
  const lib = await loadBuild(build);
  const cluster = lib.createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${PORTS[0]}` }], defaults: { commandTimeout: 10_000 } });
  await cluster.connect();
  const key = (i: number): string => `issue:{k${i % 10_000}}`;
  let issueNs = 0n;
  let totalNs = 0n;
  for (let rep = 0; rep < REPS; rep++) {
    const t0 = process.hrtime.bigint();
    let done: Promise<unknown>;
    if (scenario === 'pipeline') {
      const p = cluster.pipeline();
      for (let i = 0; i < CALLS; i++) {
        if (i & 1) p.get(key(i));
        else p.set(key(i), VALUE);
      }
      done = p.exec();
    } else {
      const calls = new Array<Promise<unknown>>(CALLS);
      for (let i = 0; i < CALLS; i++) {
        calls[i] = scenario === 'get' ? cluster.get(key(i)) : scenario === 'set' ? cluster.set(key(i), VALUE) : cluster.sendCommand(['SET', key(i), VALUE]);
      }
      done = Promise.all(calls);
    }
    const t1 = process.hrtime.bigint();
    await done;
    const t2 = process.hrtime.bigint();
    if (rep >= WARMUP) {
      issueNs += t1 - t0;
      totalNs += t2 - t0;
    }
  }
  await cluster.close();
  const measured = (REPS - WARMUP) * CALLS;
  const result: Result = { build, scenario, issueNs: Number(issueNs) / measured, totalNs: Number(totalNs) / measured };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  await withBenchCluster(PORTS, '.issue-bench-cluster', async () => {
    const rows: Result[] = [];
    for (const scenario of scenarios) {
      for (let run = 0; run < runs; run++) {
        for (const build of run % 2 === 0 ? ['current', 'base'] : ['base', 'current']) {
          const r = await runChild<Result>(fileURLToPath(import.meta.url), build, scenario);
          console.log(JSON.stringify(r));
          rows.push(r);
        }
      }
    }
    console.log(`\n${CALLS} calls per loop, ${REPS - WARMUP} measured loops per run, median of ${runs} runs (ns per call)\n`);
    console.log('| scenario | issuing: current | base | ÷ | issuing to all replies: current | base | ÷ |\n|---|---:|---:|---:|---:|---:|---:|');
    for (const scenario of scenarios) {
      const pick = (build: string, field: 'issueNs' | 'totalNs') => median(rows.filter((r) => r.build === build && r.scenario === scenario).map((r) => r[field]));
      const [ci, bi, ct, bt] = [pick('current', 'issueNs'), pick('base', 'issueNs'), pick('current', 'totalNs'), pick('base', 'totalNs')];
      console.log(`| ${scenario} | ${ci.toFixed(0)} | ${bi.toFixed(0)} | ${(ci / bi).toFixed(2)}× | ${ct.toFixed(0)} | ${bt.toFixed(0)} | ${(ct / bt).toFixed(2)}× |`);
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
