import { resolveClusterOptions } from '../../../lib/engine/cluster/cluster-options.js';
import { configError } from '../support/config-error.js';

describe('resolveClusterOptions', () => {
  it('applies documented defaults', () => {
    const o = resolveClusterOptions({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
    expect(o.useReplicas).toBe(false);
    expect(o.maxCommandRedirections).toBe(16);
    expect(o.requireFullCoverage).toBe(true);
    expect(o.topologyRefreshInterval).toBe(30_000);
    expect(o.pool).toEqual({ maxSize: 8, minIdle: 0, idleTimeout: 30_000, acquireTimeout: 5000 });
    const n = o.nodeOptions('10.0.0.1', 7001);
    expect(n.commandTimeout).toBe(5000);
    expect(n.connectTimeout).toBe(5000);
    expect(n.RESP).toBe(3);
    expect(n.tls).toBe(false);
  });

  it('names the offending option', () => {
    expect(configError(() => resolveClusterOptions({ rootNodes: [] })).option).toBe('rootNodes');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'http://x' }] })).option).toBe('rootNodes[0].url');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], maxCommandRedirections: -1 })).option).toBe('maxCommandRedirections');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], defaults: { commandTimeout: -5 } })).option).toBe('defaults.commandTimeout');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], defaults: { socket: { connectTimout: 1 } as never } })).option).toBe('defaults.socket.connectTimout');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], useReplica: true } as never)).option).toBe('useReplica');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], pool: { minIdle: 9 } })).option).toBe('pool.minIdle');
    expect(configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], nodeAddressMap: { 'a:1': { host: 'b' } as never } })).option).toBe('nodeAddressMap["a:1"]');
  });

  it('never echoes a password from a URL in errors', () => {
    const error = configError(() => resolveClusterOptions({ rootNodes: [{ url: 'redis://u:s3cr3t@host:7000/5' }] }));
    expect(error.message).not.toContain('s3cr3t');
  });

  it('lets discovered nodes inherit credentials and TLS given only on a seed', () => {
    const o = resolveClusterOptions({ rootNodes: [{ url: 'rediss://app:pw@seed.example:7000' }], defaults: { socket: { tls: { ca: 'CA' } } } });
    const n = o.nodeOptions('10.0.0.2', 7002, 'node-2.example');
    expect(n.username).toBe('app');
    expect(n.password?.reveal()).toBe('pw');
    expect(n.tls).toMatchObject({ ca: 'CA', servername: 'node-2.example' });
    const plainSeedTls = resolveClusterOptions({ rootNodes: [{ url: 'rediss://seed:7000' }] });
    expect(plainSeedTls.nodeOptions('10.0.0.3', 7003).tls).not.toBe(false);
    expect(plainSeedTls.tls).toBe(true);
  });

  it('maps addresses with an object or a function', () => {
    const viaObject = resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], nodeAddressMap: { '10.0.0.1:7000': { host: '127.0.0.1', port: 17000 } } });
    expect(viaObject.mapAddress('10.0.0.1', 7000)).toEqual({ host: '127.0.0.1', port: 17000 });
    expect(viaObject.mapAddress('10.0.0.1', 7001)).toEqual({ host: '10.0.0.1', port: 7001 });
    const viaFunction = resolveClusterOptions({ rootNodes: [{ url: 'redis://x' }], nodeAddressMap: (a) => (a.endsWith(':7000') ? { host: 'p', port: 1 } : undefined) });
    expect(viaFunction.mapAddress('h', 7000)).toEqual({ host: 'p', port: 1 });
    expect(viaFunction.mapAddress('h', 7001)).toEqual({ host: 'h', port: 7001 });
  });
});
