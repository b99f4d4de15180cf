import { readFileSync } from 'node:fs';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import type { NodeConnectionOptions } from '../../lib/engine/connection/connection-options.js';
import { AuthError, ConnectionError, TlsError } from '../../lib/engine/errors/connection.error.js';
import { describeWithServers, testServers } from '../support/servers.js';

async function connectOnce(options: NodeConnectionOptions): Promise<unknown> {
  const c = new NodeConnection({ ...options, socket: { reconnectStrategy: false, connectTimeout: 3000, ...options.socket } });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await c.sendCommand(['PING']);
  } catch (error) {
    return error;
  } finally {
    await c.destroy();
  }
}

describeWithServers('TLS against a real redis-server --tls-port', () => {
  it('connects with verification on when the CA is given', async () => {
    const { tls } = testServers();
    expect(await connectOnce({ url: `rediss://localhost:${tls.port}`, socket: { tls: { ca: readFileSync(tls.caFile) } } })).toBe('PONG');
  });

  it('fails at once with TlsError when the CA is wrong', async () => {
    const { tls } = testServers();
    const started = Date.now();
    const error = await connectOnce({ url: `rediss://localhost:${tls.port}`, socket: { tls: { ca: readFileSync(tls.wrongCaFile) }, reconnectStrategy: 100 } });
    expect(error).toBeInstanceOf(TlsError);
    expect((error as Error).message).toMatch(/TLS/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails fast instead of hanging when plaintext is spoken to the TLS port', async () => {
    const { tls } = testServers();
    const error = await connectOnce({ url: `redis://127.0.0.1:${tls.port}`, socket: { connectTimeout: 10_000 } });
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/TLS port|handshake/);
  });
});

describeWithServers('ACL users against a real redis-server', () => {
  it('authenticates an ACL user in the HELLO handshake (RESP3) and with AUTH (RESP2)', async () => {
    const { acl } = testServers();
    for (const RESP of [3, 2] as const) {
      expect(await connectOnce({ url: `redis://${acl.username}:${acl.password}@127.0.0.1:${acl.port}`, RESP })).toBe('PONG');
    }
  });

  it('fails with AuthError, without the password in the message, for a wrong password or none', async () => {
    const { acl } = testServers();
    for (const RESP of [3, 2] as const) {
      const wrong = await connectOnce({ url: `redis://${acl.username}:not-the-password@127.0.0.1:${acl.port}`, RESP, socket: { reconnectStrategy: 100 } });
      expect(wrong).toBeInstanceOf(AuthError);
      expect((wrong as Error).message).not.toContain('not-the-password');
    }
    const none = await connectOnce({ url: `redis://127.0.0.1:${acl.port}` });
    expect(none).toBeInstanceOf(AuthError);
  });
});
