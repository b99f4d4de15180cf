// The handshake opt-in step: arguments, endpoint type per connection, refusal handling per mode.
import { HandshakeRefusedError } from '../../../lib/engine/errors/connection.error.js';
import { HostAddresses, optInStep } from '../../../lib/engine/maintenance/opt-in.js';
import type { ResolvedMaintenanceOptions } from '../../../lib/engine/maintenance/types.js';

const auto: ResolvedMaintenanceOptions = { mode: 'auto', endpointType: 'auto', relaxedCommandTimeout: 10_000, relaxedSocketTimeout: 10_000 };
const refusal = new Error("ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.");

describe('optInStep', () => {
  it('sends CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type <type>, the type picked per connection', () => {
    expect(optInStep(auto, { host: '10.0.0.5', port: 6379, tls: false }, '10.0.0.5').args).toEqual(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip']);
    expect(optInStep(auto, { host: 'redis.internal', port: 6379, tls: {} }, '192.168.1.9').args.at(-1)).toBe('internal-fqdn');
    expect(optInStep(auto, { host: 'redis.example.com', port: 6379, tls: {} }, undefined).args.at(-1)).toBe('external-fqdn');
    expect(optInStep({ ...auto, endpointType: 'none' }, { host: '10.0.0.5', port: 6379, tls: false }, '10.0.0.5').args.at(-1)).toBe('none');
  });

  it("'auto' ignores a refusal", () => {
    expect(optInStep(auto, { host: '127.0.0.1', port: 30001, tls: false }, '127.0.0.1').onError(refusal)).toBeUndefined();
  });

  it("'enabled' turns a refusal into HandshakeRefusedError naming the option, the node and the server's answer", () => {
    const error = optInStep({ ...auto, mode: 'enabled' }, { host: '127.0.0.1', port: 30001, tls: false }, '127.0.0.1').onError(refusal);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).address).toBe('127.0.0.1:30001');
    expect(error!.message).toMatch(/^127\.0\.0\.1:30001: maintNotifications is 'enabled'/);
    expect(error!.message).toContain("unknown subcommand 'MAINT_NOTIFICATIONS'");
    expect(error!.cause).toBe(refusal);
  });
});

describe('HostAddresses', () => {
  it('returns IPs as they are and resolves names in the background', async () => {
    const addresses = new HostAddresses();
    expect(addresses.addressOf('10.1.1.1')).toBe('10.1.1.1');
    expect(addresses.addressOf('localhost')).toBeUndefined();
    addresses.resolve('localhost');
    addresses.resolve('10.1.1.1');
    const deadline = Date.now() + 2000;
    while (addresses.addressOf('localhost') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(['127.0.0.1', '::1']).toContain(addresses.addressOf('localhost'));
  });

  it('leaves a name that does not resolve unknown', async () => {
    const addresses = new HostAddresses();
    addresses.resolve('no-such-host.invalid');
    await new Promise((r) => setTimeout(r, 200));
    expect(addresses.addressOf('no-such-host.invalid')).toBeUndefined();
  });
});
