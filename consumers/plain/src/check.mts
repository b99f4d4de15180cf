// Shared by the ESM and CommonJS scripts: the same checks against a cluster, through the client entry only.
import type { RedisCluster } from 'nest-redis-cluster/client';

export interface Api {
  createCluster: typeof import('nest-redis-cluster/client').createCluster;
  keySlot: typeof import('nest-redis-cluster/client').keySlot;
  CrossSlotError: typeof import('nest-redis-cluster/client').CrossSlotError;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Connects, runs a few commands across slots, checks a refused transaction rejects with the package's typed error, closes. */
export async function exercise(api: Api, label: string): Promise<Record<string, unknown>> {
  const nodes = (process.env.CONSUMER_REDIS_NODES ?? 'redis://127.0.0.1:7000').split(',');
  const cluster: RedisCluster = api.createCluster({ rootNodes: nodes.map((url) => ({ url })) });
  cluster.on('error', (err) => console.error(`[${label}] cluster error`, err));
  await cluster.connect();
  const run = `${label}:${process.pid}:${Date.now()}`;
  const keys = ['a', 'b', 'c', 'd'].map((k) => `plain:${run}:${k}`);
  assert(new Set(keys.map((k) => api.keySlot(k))).size > 1, 'test keys span several slots');
  await cluster.mSet(keys.map((k, i) => [k, String(i)] as [string, string]));
  const values = await cluster.mGet(keys);
  assert(JSON.stringify(values) === JSON.stringify(['0', '1', '2', '3']), `mGet across slots returned ${JSON.stringify(values)}`);
  const deleted = await cluster.del(keys);
  assert(deleted === 4, `del across slots returned ${deleted}`);
  let crossSlot: unknown;
  try {
    await cluster.multi().get(keys[0]!).get(keys.find((k) => api.keySlot(k) !== api.keySlot(keys[0]!))!).exec();
  } catch (err) {
    crossSlot = err;
  }
  assert(crossSlot instanceof api.CrossSlotError, `a transaction over two slots rejects with CrossSlotError (got ${String(crossSlot)})`);
  await cluster.close();
  return { values, deleted, crossSlot: (crossSlot as { code?: string }).code };
}
