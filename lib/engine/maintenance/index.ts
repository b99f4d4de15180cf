import type { ConnectionPlugin, PluginHost } from '../cluster/connection-plugin.js';

/**
 * Builds the maintenance-notifications plugin (Smart Client Handoffs) from the cluster options
 * (undefined when disabled).
 * @internal
 */
export function createMaintenance(_options: Record<string, unknown>, _host: PluginHost, _resp: 2 | 3): ConnectionPlugin | undefined {
  return undefined;
}
