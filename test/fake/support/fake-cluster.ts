/**
 * Scripted fake nodes playing a small cluster, for a spec file (or a describe block): `useFakeCluster(n)`
 * registers the hooks that start `n` FakeRedisServers before each test and give them one slot table (node i
 * serves the i-th equal share of the 16384 slots: with two, `a` has 0–8191 and `b` 8192–16383), and, after the
 * test, destroy the test's client and close every server. What the nodes reply is left to each test.
 *
 *   const fakes = useFakeCluster(2);
 *   it('…', async () => {
 *     fakes.a.on('GET', () => F.bulk('v'));
 *     const cluster = fakes.createClient({ defaults: { commandTimeout: 2000 } });
 *     await cluster.connect();
 *   });
 *
 * The servers are new for each test: read them through the accessors inside tests and hooks, never copy
 * them into a variable at the top of the file.
 */
import { createCluster, type RedisCluster, type RedisClusterOptions } from '../../../lib/index.js';
import { FakeRedisServer, type SlotRange } from '../fake-redis-server.js';

const SLOTS = 16384;

export interface FakeCluster {
  /** This test's nodes, in slot order. */
  readonly nodes: readonly FakeRedisServer[];
  /** `nodes[0]`: serves slot 0, and is the root node of `createClient()`. */
  readonly a: FakeRedisServer;
  /** `nodes[1]`. */
  readonly b: FakeRedisServer;
  /** The slot table the nodes were given (masters only). */
  table(): SlotRange[];
  /**
   * The client under test: the last one `createClient()` made, destroyed after the test (before the servers
   * close). A test that disposed of it itself may set it to `undefined`.
   */
  client: RedisCluster | undefined;
  /**
   * Creates the client under test (not connected): root node `a`, no periodic topology refresh, reconnects
   * every 20 ms, `error` and `node-error` events ignored (a test may add its own listeners). `options` are
   * applied over that; `defaults.socket` is merged.
   */
  createClient(options?: Partial<RedisClusterOptions>): RedisCluster;
  /** Starts one more server, outside the slot table (a redirect or hand-off target), closed after the test. */
  startExtra(): Promise<FakeRedisServer>;
}

/** Registers the hooks (call it at the top of a file or describe block) and returns this test's accessors. */
export function useFakeCluster(count: number): FakeCluster {
  let nodes: FakeRedisServer[] = [];
  let extra: FakeRedisServer[] = [];

  const node = (i: number): FakeRedisServer => {
    const server = nodes[i];
    if (!server) throw new Error(`fake node ${i} is not running: the nodes are started by beforeEach, for each test`);
    return server;
  };
  const table = (): SlotRange[] =>
    nodes.map((server, i) => ({
      start: Math.floor((i * SLOTS) / nodes.length),
      end: Math.floor(((i + 1) * SLOTS) / nodes.length) - 1,
      master: { host: '127.0.0.1', port: server.port },
    }));

  const fixture: FakeCluster = {
    get nodes() {
      return nodes;
    },
    get a() {
      return node(0);
    },
    get b() {
      return node(1);
    },
    table,
    client: undefined,
    createClient(options = {}) {
      const client = createCluster({
        rootNodes: [{ url: `redis://127.0.0.1:${node(0).port}` }],
        topologyRefreshInterval: 0,
        ...options,
        defaults: { ...options.defaults, socket: { reconnectStrategy: 20, ...options.defaults?.socket } },
      });
      client.on('error', () => undefined);
      client.on('node-error', () => undefined);
      fixture.client = client;
      return client;
    },
    async startExtra() {
      const server = await FakeRedisServer.start();
      extra.push(server);
      return server;
    },
  };

  beforeEach(async () => {
    for (let i = 0; i < count; i++) nodes.push(await FakeRedisServer.start());
    const slots = table();
    for (const server of nodes) server.setSlots(slots);
  });

  afterEach(async () => {
    await fixture.client?.destroy();
    fixture.client = undefined;
    const servers = [...nodes, ...extra];
    nodes = [];
    extra = [];
    await Promise.all(servers.map((server) => server.close()));
  });

  return fixture;
}
