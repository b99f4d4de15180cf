// One measurement: one client, one scenario, in its own process (clean CPU accounting and JIT state).
// Prints one JSON line: { client, scenario, ops, seconds, opsPerSec, p50Us, p99Us, cpuUsPerOp } or { unsupported }.
import { makeClient, type ClientName } from './clients.js';

const [clientName, scenario, portText, durationText, warmupText] = process.argv.slice(2) as [ClientName, string, string, string, string];
const port = Number(portText);
const durationMs = Number(durationText);
const warmupMs = Number(warmupText);
const KEYS = 10_000;
const VALUE = 'x'.repeat(64);
const key = (i: number) => `bench:{k${i % KEYS}}`;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const client = await makeClient(clientName, port);
  const [kind, arg] = scenario.split(':') as [string, string];
  const param = Number(arg);
  if (kind === 'mget' && !client.mget) {
    console.log(JSON.stringify({ client: clientName, scenario, unsupported: 'cross-slot MGET is refused (CROSSSLOT) by this client' }));
    await client.close();
    return;
  }
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  let ops = 0;
  let measuring = false;
  let stop = false;
  let seq = 0;
  const record = (startNs: bigint, n: number) => {
    if (!measuring) return;
    ops += n;
    if (count < latencies.length) latencies[count++] = Number(process.hrtime.bigint() - startNs) / 1000;
    else if (Math.random() < 0.01) latencies[Math.floor(Math.random() * latencies.length)] = Number(process.hrtime.bigint() - startNs) / 1000;
  };
  const one = async (): Promise<void> => {
    const i = seq++;
    const t = process.hrtime.bigint();
    if (kind === 'getset') {
      if (i & 1) await client.get(key(i));
      else await client.set(key(i), VALUE);
      record(t, 1);
    } else if (kind === 'pipeline') {
      const batch: Array<['get' | 'set', string, string?]> = [];
      // One hash tag per batch: ioredis Cluster pipelines must stay on one node (ours need not).
      const tag = `bench:{p${i % KEYS}}:`;
      for (let j = 0; j < param; j++) batch.push(j & 1 ? ['get', `${tag}${j}`] : ['set', `${tag}${j}`, VALUE]);
      await client.batch(batch);
      record(t, param);
    } else if (kind === 'mget') {
      const keys: string[] = [];
      for (let j = 0; j < param; j++) keys.push(key(i * param + j));
      await client.mget!(keys);
      record(t, 1);
    }
  };
  const concurrency = kind === 'getset' ? param : kind === 'pipeline' ? 4 : 64;
  const workers = Array.from({ length: concurrency }, async () => {
    while (!stop) await one();
  });
  await new Promise((r) => setTimeout(r, warmupMs));
  latencies = new Float64Array(1 << 20);
  count = 0;
  ops = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  measuring = true;
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  stop = true;
  await Promise.all(workers);
  const sorted = latencies.subarray(0, count).sort();
  console.log(
    JSON.stringify({
      client: clientName,
      scenario,
      ops,
      seconds,
      opsPerSec: ops / seconds,
      p50Us: percentile(sorted, 50),
      p99Us: percentile(sorted, 99),
      cpuUsPerOp: (cpu.user + cpu.system) / ops,
    }),
  );
  await client.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
