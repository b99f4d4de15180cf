import { ConfigError } from '../errors/base.error.js';
import type { MaintEndpointType, MaintNotificationsMode, ResolvedMaintenanceOptions } from './types.js';

const MODES: readonly MaintNotificationsMode[] = ['disabled', 'enabled', 'auto'];
const ENDPOINT_TYPES: readonly MaintEndpointType[] = ['auto', 'internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'];

/** Default of `maintRelaxedCommandTimeout` and `maintRelaxedSocketTimeout`, in ms. */
export const DEFAULT_RELAXED_TIMEOUT_MS = 10_000;

function mode(value: unknown, option: string): MaintNotificationsMode | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(MODES as readonly string[]).includes(value)) {
    throw new ConfigError(option, `must be one of ${MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  return value as MaintNotificationsMode;
}

function milliseconds(value: unknown, option: string, allowZero: boolean): number {
  if (value === undefined) return DEFAULT_RELAXED_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ConfigError(option, `must be a ${allowZero ? 'non-negative' : 'positive'} finite number of milliseconds`);
  }
  return value;
}

/**
 * Resolves the maintenance options from the raw `createCluster` options. Returns undefined when
 * the feature is off: `'disabled'`, or `'auto'` (the default) with RESP2. Throws ConfigError naming
 * the option for a bad value, for `maintNotifications` and its deprecated alias
 * `maintPushNotifications` given with different values, and for `'enabled'` with RESP2.
 * @internal
 */
export function resolveMaintenanceOptions(raw: Readonly<Record<string, unknown>>, resp: 2 | 3): ResolvedMaintenanceOptions | undefined {
  const current = mode(raw['maintNotifications'], 'maintNotifications');
  const alias = mode(raw['maintPushNotifications'], 'maintPushNotifications');
  if (current !== undefined && alias !== undefined && current !== alias) {
    throw new ConfigError('maintPushNotifications', `is a deprecated alias of maintNotifications and conflicts with it ('${alias}' vs '${current}'); give only maintNotifications`);
  }
  const chosen = current ?? alias ?? 'auto';
  const option = current !== undefined || alias === undefined ? 'maintNotifications' : 'maintPushNotifications';
  const endpointRaw = raw['maintEndpointType'];
  if (endpointRaw !== undefined && (typeof endpointRaw !== 'string' || !(ENDPOINT_TYPES as readonly string[]).includes(endpointRaw))) {
    throw new ConfigError('maintEndpointType', `must be one of ${ENDPOINT_TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  const relaxedCommandTimeout = milliseconds(raw['maintRelaxedCommandTimeout'], 'maintRelaxedCommandTimeout', false);
  const relaxedSocketTimeout = milliseconds(raw['maintRelaxedSocketTimeout'], 'maintRelaxedSocketTimeout', true);
  if (chosen === 'disabled') return undefined;
  if (resp === 2) {
    if (chosen === 'enabled') throw new ConfigError(option, "'enabled' needs RESP3 (maintenance notifications are push frames); set defaults.RESP to 3 or use 'auto'");
    return undefined;
  }
  return { mode: chosen, endpointType: (endpointRaw as MaintEndpointType | undefined) ?? 'auto', relaxedCommandTimeout, relaxedSocketTimeout };
}
