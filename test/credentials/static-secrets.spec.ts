// A static password (in defaults, in a URL, or on one root node) never shows in util.inspect (any
// depth, hidden properties included) or JSON of anything reachable from a connected client: the
// client, its resolved options, a node client, a node, its pool and connections, a WatchSession.
import { inspect } from 'node:util';
import { describeWithServers, testServers } from '../support/servers.js';
import { createCluster, type RedisClusterOptions } from '../../lib/index.js';
import { deleteUsers, setUser } from './credentials-helpers.js';

const USER = `static-${process.pid}`;
const PASSWORD = `st4tic-${process.pid}-pw`;

/** Every rendering of `value` a log line could get; JSON only where it does not throw (cycles). */
function renderings(value: unknown): string[] {
  const out = [inspect(value), inspect(value, { depth: Infinity, showHidden: true }), `${String(value)}`];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // Circular structure: JSON.stringify cannot print it at all.
  }
  return out;
}

describeWithServers('static credentials never show in inspect or JSON', () => {
  const ports = () => testServers().clusters.main.ports;
  beforeAll(() => setUser(ports(), USER, PASSWORD));
  afterAll(() => deleteUsers(ports(), USER));
  const seed = () => ({ host: '127.0.0.1', port: ports()[0]! });
  const configs: Array<[string, () => RedisClusterOptions]> = [
    ['in defaults', () => ({ rootNodes: [{ socket: seed() }], defaults: { username: USER, password: PASSWORD } })],
    ['in a URL', () => ({ rootNodes: [{ url: `redis://${USER}:${PASSWORD}@127.0.0.1:${seed().port}` }] })],
    ['on a root node', () => ({ rootNodes: [{ socket: seed(), username: USER, password: PASSWORD }] })],
  ];

  it.each(configs)('password %s', async (_label, config) => {
    const client = createCluster(config());
    client.on('error', () => undefined);
    try {
      await client.connect();
      await expect(client.sendCommand(['ACL', 'WHOAMI'])).resolves.toBe(USER);
      const key = `static-secret-${process.pid}`;
      const session = await client.watch(key);
      const address = session.address;
      const node = client.node(address)!;
      const objects: Record<string, unknown> = {
        cluster: client,
        options: client.options,
        rootNode: client.options.rootNodes[0],
        nodeOptions: client.options.nodeOptions('127.0.0.1', 1),
        nodeClient: client.nodeClient(address),
        node,
        connection: node.connection,
        pool: node.pool,
        session,
      };
      for (const [name, value] of Object.entries(objects)) {
        for (const text of renderings(value)) {
          expect({ name, leaks: text.includes(PASSWORD) || text.includes(`${USER}:${PASSWORD}`) }).toEqual({ name, leaks: false });
        }
      }
      // The resolved options still authenticate discovered nodes (the secret is only hidden).
      await expect(client.nodeClient(address).sendCommand(['ACL', 'WHOAMI'])).resolves.toBe(USER);
      await session.release();
    } finally {
      await client.close();
    }
  });
});
