// Self-healing nodes: a node's main connection that gave up (an AuthError on its first connect, a
// reconnectStrategy returning false) is opened again on demand while the cluster is open; the
// commands it held are retried (a retriable ConnectionError) after a topology refresh.
import { AuthError, createCluster, type RedisCluster } from '../../lib/index.js';
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import { useTestClient } from '../support/cluster-client.js';
import { describeWithServers, mastersAndReplicas, redisCli, testServers } from '../support/servers.js';
import { FakeRedisServer } from '../fake/fake-redis-server.js';
import * as F from '../fake/resp-frames.js';

const USER = 'late-healer';
const PASSWORD = 'late-healer-secret';

describeWithServers('self-healing nodes (real cluster)', () => {
  const testClient = useTestClient();
  let ports: number[] = [];

  afterEach(async () => {
    await Promise.all(ports.map((port) => redisCli({ port, allowError: true }, 'ACL', 'DELUSER', USER)));
  });

  it('an ACL user created late on one master: its connection is recreated and the waiting command succeeds', async () => {
    const main = testServers().clusters.main;
    ports = main.ports;
    const topology = await mastersAndReplicas(main);
    const late = topology.masters[0]!;
    const key = Array.from({ length: 200 }, (_, i) => `heal:${i}`).find((k) => topology.ownerOf(keySlot(k)) === late)!;
    // Every node but `late` knows the user already; `late` learns it only after the client failed there.
    await Promise.all(ports.filter((p) => p !== late).map((port) => redisCli(port, 'ACL', 'SETUSER', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all')));
    const cluster = testClient(
      createCluster({
        rootNodes: ports.filter((p) => p !== late).map((port) => ({ url: `redis://127.0.0.1:${port}` })),
        defaults: { username: USER, password: PASSWORD, commandTimeout: 10_000, socket: { reconnectStrategy: 50 } },
      }),
    );
    cluster.on('error', () => undefined);
    const authFailed = new Promise<Error>((resolve) => cluster.on('node-error', (error, address) => address.endsWith(`:${late}`) && error instanceof AuthError && resolve(error)));
    await cluster.connect();
    const lateAddress = cluster.getPrimaries().find((m) => m.port === late)!.address;
    expect(await authFailed).toBeInstanceOf(AuthError);
    const refreshesBefore = cluster.stats().topologyRefreshes;
    // The command waits (retrying within its deadline) while the node refuses…
    const pending = cluster.set(key, 'healed');
    const failedAgain = new Promise<void>((resolve) => cluster.on('node-error', (error, address) => address === lateAddress && error instanceof AuthError && resolve()));
    await failedAgain;
    // …and succeeds once the user exists there: the node opened a fresh main connection.
    await redisCli(late, 'ACL', 'SETUSER', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
    expect(await pending).toBe('OK');
    expect(await cluster.get(key)).toBe('healed');
    expect(cluster.node(lateAddress)!.recreated).toBeGreaterThan(0);
    expect(cluster.stats().connectionRetries).toBeGreaterThan(0);
    expect(cluster.stats().topologyRefreshes).toBeGreaterThan(refreshesBefore);
  });
});

describe('self-healing nodes (scripted node)', () => {
  let a: FakeRedisServer;
  let b: FakeRedisServer;
  let cluster: RedisCluster | undefined;

  afterEach(async () => {
    await cluster?.destroy();
    cluster = undefined;
    await Promise.all([a.close(), b.close()]);
  });

  it('a reconnectStrategy returning false ends the connection; the next command opens a fresh one', async () => {
    a = await FakeRedisServer.start();
    b = await FakeRedisServer.start();
    const table = [
      { start: 0, end: 8191, master: { host: '127.0.0.1', port: a.port } },
      { start: 8192, end: 16383, master: { host: '127.0.0.1', port: b.port } },
    ];
    a.setSlots(table);
    b.setSlots(table);
    let refuse = true;
    // b drops every connection during its handshake until told otherwise.
    b.on('HELLO', (_argv, ctx) => (refuse ? { close: true } : ctx.defaultReply()));
    b.on('GET', () => F.bulk('from-b'));
    const keyOnB = Array.from({ length: 50 }, (_, i) => `k${i}`).find((k) => keySlot(k) >= 8192)!;
    let strategyCalls = 0;
    cluster = createCluster({
      rootNodes: [{ url: `redis://127.0.0.1:${a.port}` }],
      defaults: {
        commandTimeout: 5000,
        socket: {
          connectTimeout: 1000,
          reconnectStrategy: () => {
            strategyCalls++;
            return false;
          },
        },
      },
      topologyRefreshInterval: 0,
    });
    cluster.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => cluster!.on('node-error', (_e, address) => address === `127.0.0.1:${b.port}` && resolve()));
    await cluster.connect();
    await ended;
    const from = b.commands.length;
    const pending = cluster.get(keyOnB);
    // Retries open fresh connections (each refused and given up by the strategy) until b accepts.
    await b.waitForCommand('HELLO', undefined, 2000, { fromIndex: from });
    refuse = false;
    expect(await pending).toBe('from-b');
    expect(strategyCalls).toBeGreaterThan(0);
    expect(cluster.node(`127.0.0.1:${b.port}`)!.recreated).toBeGreaterThan(0);
  });
});
