import type { ConnectionPlugin, ExecutorCache, PluginHost } from '../cluster/connection-plugin.js';

/**
 * Builds the client-side cache plugin from the `clientSideCache` option (undefined when off).
 * @internal
 */
export function createClientSideCache(_option: unknown, _host: PluginHost, _resp: 2 | 3): (ConnectionPlugin & ExecutorCache) | undefined {
  return undefined;
}
