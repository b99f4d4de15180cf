import fc from 'fast-check';
import { createCluster, RedisClusterError } from 'nest-redis-cluster';
import { RedisCacheService } from '../../lib/nest/cache/redis-cache.service.js';
import { resolveCacheOptions } from '../../lib/nest/redis-cluster-options.resolver.js';
import { closedPorts } from './support/nest-test.helpers.js';

/** Settles a call that must never throw synchronously: 'sync' if it did, else how its promise settled. */
async function settle(call: () => unknown): Promise<'sync' | 'resolved' | { rejected: unknown }> {
  let promise: unknown;
  try {
    promise = call();
  } catch {
    return 'sync';
  }
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return { rejected: error };
  }
}

describe('RedisCacheService with hostile arguments (property tests, Redis unreachable)', () => {
  let service: RedisCacheService;
  let cluster: ReturnType<typeof createCluster>;

  beforeAll(async () => {
    const [closed] = await closedPorts(1);
    cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${closed}` }], defaults: { commandTimeout: 30 } });
    cluster.on('error', () => undefined);
    service = new RedisCacheService(cluster, resolveCacheOptions({ timeout: 30, evictTimeout: 30, onEvictError: 'throw' }), 'hostile');
  });

  afterAll(async () => {
    await service.onApplicationShutdown();
    await cluster.destroy();
  });

  const hostile = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, maxDepth: 2 });
  const options = fc.oneof(fc.constant(undefined), hostile, fc.record({ ttl: hostile, namespace: hostile, unless: hostile }, { requiredKeys: [] }));

  it('every method returns a promise (never a synchronous throw) that settles, rejecting only with typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, options, fc.constantFrom('wrap', 'lookup', 'get', 'set', 'evict', 'evictNamespace', 'keyOf'), async (key, opts, method) => {
        const calls: Record<string, () => unknown> = {
          wrap: () => service.wrap(key as string, async () => 1, opts as never),
          lookup: () => service.lookup(key as string, opts as never),
          get: () => service.get(key as string, opts as never),
          set: () => service.set(key as string, 1, opts as never),
          evict: () => service.evict(key as string, opts as never),
          evictNamespace: () => service.evictNamespace(key as string),
          keyOf: () => service.keyOf(key as string, opts as never),
        };
        const outcome = await settle(calls[method]!);
        expect(outcome).not.toBe('sync');
        if (typeof outcome === 'object') {
          expect(outcome.rejected).toBeInstanceOf(RedisClusterError);
          expect(typeof (outcome.rejected as RedisClusterError).code).toBe('string');
        }
      }),
      { numRuns: 150 },
    );
  });
});
