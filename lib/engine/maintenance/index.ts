import type { PluginHost } from '../cluster/connection-plugin.js';
import { resolveMaintenanceOptions } from './options.js';
import { MaintenancePlugin, type MaintenanceConnectionPlugin } from './plugin.js';

export type { MaintenanceConnectionPlugin } from './plugin.js';
export { resolveMaintenanceOptions, DEFAULT_RELAXED_TIMEOUT_MS } from './options.js';
export { parseMaintenancePush, parseEndpoint, parseSlotList, maintenanceTypeOf, MalformedMaintenancePushError } from './push-parser.js';
export { isPrivateAddress, movingEndpointType } from './endpoint-type.js';
export type * from './types.js';

/**
 * Builds the maintenance-notifications plugin (Smart Client Handoffs) from the raw
 * `createCluster` options: `maintNotifications` (or its deprecated alias
 * `maintPushNotifications`), `maintEndpointType`, `maintRelaxedCommandTimeout`,
 * `maintRelaxedSocketTimeout`. Returns undefined when the feature is off (`'disabled'`, or the
 * default `'auto'` with RESP2). Throws ConfigError naming the option on a bad value.
 * @internal
 */
export function createMaintenance(options: Record<string, unknown>, host: PluginHost, resp: 2 | 3): MaintenanceConnectionPlugin | undefined {
  const resolved = resolveMaintenanceOptions(options, resp);
  return resolved ? new MaintenancePlugin(resolved, host) : undefined;
}
