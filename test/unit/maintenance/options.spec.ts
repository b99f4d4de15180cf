// Option resolution: defaults, the deprecated alias, conflicts, bad values, RESP2; and createMaintenance.
import { ConfigError } from '../../../lib/engine/errors/base.error.js';
import type { PluginHost } from '../../../lib/engine/cluster/connection-plugin.js';
import { createMaintenance, DEFAULT_RELAXED_TIMEOUT_MS, resolveMaintenanceOptions } from '../../../lib/engine/maintenance/index.js';
import { configError } from '../support/config-error.js';

const host: PluginHost = { topology: () => undefined, requestRefresh: () => undefined, error: () => undefined, emit: () => undefined };

describe('resolveMaintenanceOptions', () => {
  it("defaults to 'auto' with endpoint type 'auto' and 10 s relaxed timeouts on RESP3", () => {
    expect(resolveMaintenanceOptions({}, 3)).toEqual({ mode: 'auto', endpointType: 'auto', relaxedCommandTimeout: 10_000, relaxedSocketTimeout: 10_000 });
    expect(DEFAULT_RELAXED_TIMEOUT_MS).toBe(10_000);
  });

  it('takes every option', () => {
    expect(
      resolveMaintenanceOptions({ maintNotifications: 'enabled', maintEndpointType: 'internal-fqdn', maintRelaxedCommandTimeout: 2500, maintRelaxedSocketTimeout: 0 }, 3),
    ).toEqual({ mode: 'enabled', endpointType: 'internal-fqdn', relaxedCommandTimeout: 2500, relaxedSocketTimeout: 0 });
    for (const type of ['auto', 'internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none']) {
      expect(resolveMaintenanceOptions({ maintEndpointType: type }, 3)?.endpointType).toBe(type);
    }
  });

  it("'disabled' turns it off (undefined), whatever the protocol", () => {
    expect(resolveMaintenanceOptions({ maintNotifications: 'disabled' }, 3)).toBeUndefined();
    expect(resolveMaintenanceOptions({ maintNotifications: 'disabled' }, 2)).toBeUndefined();
  });

  it('accepts the deprecated alias maintPushNotifications, alone or agreeing', () => {
    expect(resolveMaintenanceOptions({ maintPushNotifications: 'enabled' }, 3)?.mode).toBe('enabled');
    expect(resolveMaintenanceOptions({ maintPushNotifications: 'disabled' }, 3)).toBeUndefined();
    expect(resolveMaintenanceOptions({ maintNotifications: 'auto', maintPushNotifications: 'auto' }, 3)?.mode).toBe('auto');
  });

  it('rejects the alias when it conflicts with maintNotifications, naming it', () => {
    const error = configError(() => resolveMaintenanceOptions({ maintNotifications: 'enabled', maintPushNotifications: 'disabled' }, 3));
    expect(error.option).toBe('maintPushNotifications');
    expect(error.message).toMatch(/maintNotifications/);
  });

  it("RESP2: 'auto' (also by default) is off silently; 'enabled' is a ConfigError naming the option given", () => {
    expect(resolveMaintenanceOptions({}, 2)).toBeUndefined();
    expect(resolveMaintenanceOptions({ maintNotifications: 'auto' }, 2)).toBeUndefined();
    const error = configError(() => resolveMaintenanceOptions({ maintNotifications: 'enabled' }, 2));
    expect(error.option).toBe('maintNotifications');
    expect(error.message).toMatch(/RESP3/);
    expect(configError(() => resolveMaintenanceOptions({ maintPushNotifications: 'enabled' }, 2)).option).toBe('maintPushNotifications');
  });

  it.each([
    ['maintNotifications', 'on'],
    ['maintNotifications', true],
    ['maintPushNotifications', 1],
    ['maintEndpointType', 'internal'],
    ['maintEndpointType', 3],
    ['maintRelaxedCommandTimeout', 0],
    ['maintRelaxedCommandTimeout', -1],
    ['maintRelaxedCommandTimeout', Infinity],
    ['maintRelaxedCommandTimeout', '1000'],
    ['maintRelaxedSocketTimeout', -5],
    ['maintRelaxedSocketTimeout', NaN],
  ])('rejects %s = %p with a ConfigError naming it', (option, value) => {
    expect(configError(() => resolveMaintenanceOptions({ [option]: value }, 3)).option).toBe(option);
  });

  it('validates values even when the feature ends up off', () => {
    expect(configError(() => resolveMaintenanceOptions({ maintNotifications: 'disabled', maintRelaxedCommandTimeout: -1 }, 3)).option).toBe('maintRelaxedCommandTimeout');
  });
});

describe('createMaintenance', () => {
  it('returns a plugin on RESP3 by default, none when off', () => {
    const plugin = createMaintenance({}, host, 3);
    expect(plugin).toBeDefined();
    expect(plugin!.inMaintenance()).toEqual([]);
    plugin!.close?.();
    expect(createMaintenance({}, host, 2)).toBeUndefined();
    expect(createMaintenance({ maintNotifications: 'disabled' }, host, 3)).toBeUndefined();
  });

  it('throws ConfigError before any socket opens', () => {
    expect(() => createMaintenance({ maintNotifications: 'enabled' }, host, 2)).toThrow(ConfigError);
  });
});
