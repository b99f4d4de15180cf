import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { RedisClusterOptions, RootNodeOptions } from '../../engine/cluster/cluster-options.js';

/** Most namespace tokens the dedicated tracking client keeps in memory. */
const TOKEN_CACHE_ENTRIES = 10_000;

type NodeOptions = NonNullable<RedisClusterOptions['defaults']> | RootNodeOptions;

/**
 * The options of the namespace-token tracking client: the user's cluster options (already
 * validated by the main client), masters only, RESP3 with a client-side cache, and every
 * `credentialsProvider` replaced by the main client's share of it, so that a streaming provider
 * is subscribed once (by the main client) and its pushes re-authenticate both clients.
 * @internal
 */
export function tokenClientOptions(main: RedisCluster, engine: RedisClusterOptions): RedisClusterOptions {
  const share = <T extends NodeOptions>(node: T): T =>
    typeof node === 'object' && node !== null && node.credentialsProvider !== undefined
      ? { ...node, credentialsProvider: main.sharedCredentialsProvider(node.credentialsProvider) }
      : node;
  return {
    ...engine,
    rootNodes: Array.isArray(engine.rootNodes) ? engine.rootNodes.map(share) : engine.rootNodes,
    defaults: { ...share(engine.defaults ?? {}), RESP: 3 },
    useReplicas: false,
    clientSideCache: { maxEntries: TOKEN_CACHE_ENTRIES },
  };
}
