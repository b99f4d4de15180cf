/**
 * One scripted fake node and the NodeConnection under test, for a spec file: `useFakeNode()` registers the
 * hooks that start a FakeRedisServer before each test and, after it, destroy the test's connection and close
 * the server. What the node replies is left to each test.
 *
 *   const fake = useFakeNode();
 *   it('…', async () => {
 *     fake.server.on('GET', () => F.bulk('v'));
 *     const c = fake.open({ commandTimeout: 0 });
 *     await c.connect();
 *   });
 *
 * The server is new for each test: read it through `fake.server` inside tests and hooks.
 */
import { NodeConnection } from '../../../lib/engine/connection/node-connection.js';
import type { NodeConnectionOptions } from '../../../lib/engine/connection/connection-options.js';
import { FakeRedisServer } from '../fake-redis-server.js';

export interface FakeNode {
  /** This test's server. */
  readonly server: FakeRedisServer;
  /**
   * The connection under test: the last one `open()` made, or one the test built and set here; destroyed
   * after the test, before the server closes.
   */
  connection: NodeConnection | undefined;
  /**
   * Creates the connection under test (not connected): to the server, reconnecting every 10 ms, RESP2, no
   * CLIENT SETINFO, `error` events ignored (a test may add its own listener). `options` are applied over that
   * (a `socket` given there replaces the whole socket, host and port included).
   */
  open(options?: Partial<NodeConnectionOptions>): NodeConnection;
}

/** Registers the hooks (call it at the top of the file) and returns this test's accessors. */
export function useFakeNode(): FakeNode {
  let server: FakeRedisServer | undefined;

  const fixture: FakeNode = {
    get server() {
      if (!server) throw new Error('the fake node is not running: it is started by beforeEach, for each test');
      return server;
    },
    connection: undefined,
    open(options = {}) {
      const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fixture.server.port, reconnectStrategy: 10 }, RESP: 2, clientInfo: false, ...options });
      connection.on('error', () => undefined);
      fixture.connection = connection;
      return connection;
    },
  };

  beforeEach(async () => {
    server = await FakeRedisServer.start();
  });

  afterEach(async () => {
    await fixture.connection?.destroy();
    fixture.connection = undefined;
    const closing = server;
    server = undefined;
    await closing?.close();
  });

  return fixture;
}
