import { createCluster, type RedisCluster, type RedisClusterOptions } from '../../lib/index.js';
import { testServers } from './servers.js';

/** A client on the main test cluster (or the chaos one), closed by the caller. */
export function mainCluster(options: Partial<RedisClusterOptions> = {}, which: 'main' | 'chaos' = 'main'): RedisCluster {
  const ports = testServers().clusters[which].ports;
  const client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${ports[0]}` }], ...options });
  client.on('error', () => undefined);
  client.on('node-error', () => undefined);
  return client;
}

/** Runs `fn` with a connected client and always closes it. */
export async function withCluster<T>(fn: (cluster: RedisCluster) => Promise<T>, options: Partial<RedisClusterOptions> = {}, which: 'main' | 'chaos' = 'main'): Promise<T> {
  const cluster = mainCluster(options, which);
  try {
    await cluster.connect();
    return await fn(cluster);
  } finally {
    await cluster.close();
  }
}

/**
 * Registers an afterEach (call it in a describe block) that closes the client of each test: the one last handed
 * to the returned function, which gives it back.
 *
 *   const testClient = useTestClient();
 *   it('…', async () => {
 *     const c = testClient(mainCluster({ defaults: { commandTimeout: 2000 } }, 'chaos'));
 *     await c.connect();
 *   });
 */
export function useTestClient(): <C extends RedisCluster>(client: C) => C {
  let cluster: RedisCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });
  return (client) => (cluster = client);
}
