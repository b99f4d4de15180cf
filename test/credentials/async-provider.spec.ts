import { inspect } from 'node:util';
import { describeWithServers, testServers } from '../support/servers.js';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { ConnectTimeoutError, CredentialsProviderError, RedisClusterError, type AsyncCredentialsProvider } from '../../lib/index.js';
import { useMainClusterUsers } from './credentials-helpers.js';

const SUFFIX = `${process.pid}`;
const USER = `async-${SUFFIX}`;
const PASS = `async-pass-${SUFFIX}-secret`;

function provider(credentials: () => Promise<{ username?: string; password?: string }>): AsyncCredentialsProvider & { calls: number } {
  const p = {
    type: 'async-credentials-provider' as const,
    calls: 0,
    credentials: () => {
      p.calls++;
      return credentials();
    },
  };
  return p;
}

describeWithServers('async credentials provider', () => {
  const acl = () => testServers().acl;
  const openCluster = useMainClusterUsers({ [USER]: PASS });

  it('is asked for every new connection of the cluster (seed, main, pub/sub, pooled)', async () => {
    const p = provider(async () => ({ username: USER, password: PASS }));
    const cluster = openCluster({ credentialsProvider: p });
    await cluster.connect();
    const afterConnect = p.calls;
    expect(afterConnect).toBeGreaterThanOrEqual(4); // at least one seed + three masters
    await cluster.subscribe(`async-ch-${SUFFIX}`, () => undefined);
    expect(p.calls).toBe(afterConnect + 1);
    await cluster.sendCommand(['BLPOP', `async-list-${SUFFIX}`, '0.01']);
    expect(p.calls).toBe(afterConnect + 2);
    const whoami = await cluster.sendCommand(['ACL', 'WHOAMI']);
    expect(whoami).toBe(USER);
  });

  it('a provider that throws fails the attempt with CredentialsProviderError (no secret, no provider message)', async () => {
    const p = provider(() => {
      throw new Error(`token service down, token was ${PASS}`);
    });
    const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: acl().port, reconnectStrategy: false }, credentialsProvider: p });
    const error = await connection.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CredentialsProviderError);
    expect((error as RedisClusterError).code).toBe('ERR_REDIS_CREDENTIALS_PROVIDER');
    expect(inspect(error, { depth: Infinity })).not.toContain(PASS);
    expect(inspect(error, { depth: Infinity })).not.toContain('token service down');
    await connection.destroy();
  });

  it('cluster connect() with a throwing provider rejects with a typed error naming the provider failure, no secret', async () => {
    const p = provider(() => Promise.reject(new Error(`no token for ${PASS}`)));
    const cluster = openCluster({ credentialsProvider: p, socket: { connectTimeout: 1000 } });
    const error = await cluster.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisClusterError);
    const dump = inspect(error, { depth: Infinity });
    expect(dump).toContain('ERR_REDIS_CREDENTIALS_PROVIDER');
    expect(dump).not.toContain(PASS);
    expect(p.calls).toBeGreaterThanOrEqual(1);
  });

  it('a provider that rejects, or returns a bad shape, fails with CredentialsProviderError', async () => {
    for (const credentials of [() => Promise.reject(new Error(PASS)), () => Promise.resolve(42 as never), () => Promise.resolve({ password: 7 } as never)]) {
      const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: acl().port, reconnectStrategy: false }, credentialsProvider: provider(credentials) });
      const error = await connection.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CredentialsProviderError);
      expect(String(error)).not.toContain(PASS);
      await connection.destroy();
    }
  });

  it('a provider that never answers fails the attempt at connectTimeout with ConnectTimeoutError', async () => {
    const p = provider(() => new Promise(() => undefined));
    const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: acl().port, reconnectStrategy: false, connectTimeout: 300 }, credentialsProvider: p });
    const error = await connection.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(p.calls).toBe(1);
    await connection.destroy();
  });

  it('authenticates a standalone ACL node (RESP2 and RESP3) with the provided user', async () => {
    for (const RESP of [2, 3] as const) {
      const p = provider(async () => ({ username: acl().username, password: acl().password }));
      const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: acl().port, reconnectStrategy: false }, credentialsProvider: p, RESP });
      await connection.connect();
      await expect(connection.sendCommand(['ACL', 'WHOAMI'])).resolves.toBe(acl().username);
      expect(inspect(connection, { depth: Infinity, showHidden: true })).not.toContain(acl().password);
      await connection.close();
    }
  });
});
