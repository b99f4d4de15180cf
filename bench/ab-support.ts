// Shared plumbing of the A/B benches (cpu-per-command.ts, issue-path.ts): the two builds compared,
// one child process per measurement, a 3+3 cluster of their own, the median.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Lib from '../lib/index.js';
// @ts-expect-error plain ESM helper without types
import { ensureRedis, startCluster, stopCluster } from '../scripts/lib/index.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `current`: this tree's dist/; `base`: another build (CPU_BENCH_BASE_LIB, default dist-test/bench-base/dist). */
export const BUILDS: Readonly<Record<string, string>> = {
  current: join(root, 'dist', 'index.js'),
  base: process.env['CPU_BENCH_BASE_LIB'] ? join(process.cwd(), process.env['CPU_BENCH_BASE_LIB']) : join(root, 'dist-test', 'bench-base', 'dist', 'index.js'),
};

/** The six ports of a bench cluster starting at `firstPort`. */
export const clusterPorts = (firstPort: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => firstPort + i);

/** The package of `build`, loaded. */
export async function loadBuild(build: string): Promise<typeof Lib> {
  return (await import(pathToFileURL(BUILDS[build]!).href)) as typeof Lib;
}

/** Runs `script --child build scenario` in its own process (with `nodeArgs`) and parses its last output line. */
export function runChild<R>(script: string, build: string, scenario: string, nodeArgs: readonly string[] = []): Promise<R> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, '--child', build, scenario], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as R) : reject(new Error(`${build} ${scenario} exited with ${code}`))));
  });
}

/** Runs `fn` with a fresh 3+3 cluster on `ports` (data under `dirName` in the repo), stopped afterwards. */
export async function withBenchCluster<T>(ports: readonly number[], dirName: string, fn: () => Promise<T>): Promise<T> {
  const baseDir = join(root, dirName);
  await ensureRedis({ log: (m: string) => console.log(m) });
  await stopCluster({ ports, baseDir, remove: true }).catch(() => undefined);
  await startCluster({ ports, baseDir });
  try {
    return await fn();
  } finally {
    await stopCluster({ ports, baseDir, remove: true });
  }
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
