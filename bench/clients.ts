// Adapters giving the three clients one shape, so each scenario runs the same code on each.
import { Cluster as IORedisCluster } from 'ioredis';
import { createCluster as createNodeRedisCluster } from 'redis';
import type * as Lib from '../lib/index.js';

// This client is measured as users run it: compiled by tsc (bench/run.ts builds dist/ first),
// not transpiled on the fly. BENCH_LIB can point elsewhere.
const libPath: string = process.env['BENCH_LIB'] ?? '../dist/index.js';
const lib = (await import(libPath)) as typeof Lib;
const { createCluster } = lib;

export interface BenchClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  /** One pipeline/batch of GET and SET commands; resolves when all replies are in. */
  batch(ops: ReadonlyArray<readonly ['get' | 'set', string, string?]>): Promise<unknown>;
  /** Cross-slot MGET, or undefined when the client cannot do it. */
  mget?(keys: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export const CLIENT_NAMES = ['nest-redis-cluster', 'ioredis', 'ioredis-autopipeline', 'node-redis'] as const;
/**
 * Extra clients for BENCH_CLIENTS: `nest-redis-cluster-otel` (a TracingChannel subscriber making
 * OpenTelemetry spans, and every metric group on), `nest-redis-cluster-base` (the package built
 * from another commit into BENCH_BASE_LIB, to compare against).
 */
export const EXTRA_CLIENT_NAMES = ['nest-redis-cluster-otel', 'nest-redis-cluster-base'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number] | (typeof EXTRA_CLIENT_NAMES)[number];

export async function makeClient(name: ClientName, port: number): Promise<BenchClient> {
  switch (name) {
    case 'nest-redis-cluster':
    case 'nest-redis-cluster-otel':
    case 'nest-redis-cluster-base': {
      const otel = name === 'nest-redis-cluster-otel' ? (await import('./otel-setup.js')).otelObservability(lib) : undefined;
      const make = name === 'nest-redis-cluster-base' ? ((await import(process.env['BENCH_BASE_LIB'] ?? '../dist-test/bench-base/dist/index.js')) as typeof Lib).createCluster : createCluster;
      const c = make({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }], defaults: { commandTimeout: 10_000 }, ...(otel ? { observability: otel.options } : {}) });
      await c.connect();
      return {
        get: (k) => c.get(k),
        set: (k, v) => c.set(k, v),
        batch: (ops) => {
          const p = c.pipeline();
          for (const [op, k, v] of ops) {
            if (op === 'get') p.get(k);
            else p.set(k, v!);
          }
          return p.exec();
        },
        mget: (keys) => c.mGet(keys),
        close: async () => {
          await c.close();
          await otel?.stop();
        },
      };
    }
    case 'ioredis':
    case 'ioredis-autopipeline': {
      const c = new IORedisCluster([{ host: '127.0.0.1', port }], { enableAutoPipelining: name === 'ioredis-autopipeline', lazyConnect: true });
      await c.connect();
      return {
        get: (k) => c.get(k),
        set: (k, v) => c.set(k, v),
        batch: (ops) => {
          const p = c.pipeline();
          for (const [op, k, v] of ops) {
            if (op === 'get') p.get(k);
            else p.set(k, v!);
          }
          return p.exec();
        },
        close: async () => {
          await c.quit();
        },
      };
    }
    case 'node-redis': {
      const c = createNodeRedisCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] });
      c.on('error', () => undefined);
      await c.connect();
      return {
        get: (k) => c.get(k),
        set: (k, v) => c.set(k, v),
        batch: (ops) => {
          // node-redis cluster multi() is single-slot; its non-atomic batch per call is Promise.all
          // over commands (auto-pipelined by the client), which is what its docs recommend.
          return Promise.all(ops.map(([op, k, v]) => (op === 'get' ? c.get(k) : c.set(k, v!))));
        },
        close: async () => {
          await c.close();
        },
      };
    }
  }
}
