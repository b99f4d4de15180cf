// Pool waiters (finding 16): bounded in number, and each honours its caller's deadline even with
// `acquireTimeout: 0` (no limit of the pool's own); a waiter that gave up leaves the queue.
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { ClientClosedError, QueueFullError } from '../../lib/engine/errors/base.error.js';
import { NodePool, PoolTimeoutError } from '../../lib/engine/pool/node-pool.js';
import { HandleTracker } from '../support/handle-tracker.js';
import { FakeRedisServer } from './fake-redis-server.js';

let fake: FakeRedisServer;
let pool: NodePool | undefined;

beforeEach(async () => {
  fake = await FakeRedisServer.start();
});

afterEach(async () => {
  await pool?.close();
  pool = undefined;
  await fake.close();
});

function newPool(settings: { acquireTimeout: number; maxWaiters?: number }): NodePool {
  pool = new NodePool(() => {
    const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.port, reconnectStrategy: false }, RESP: 2, clientInfo: false });
    connection.on('error', () => undefined);
    return connection;
  }, { maxSize: 1, minIdle: 0, idleTimeout: 0, ...settings });
  return pool;
}

describe('NodePool waiters', () => {
  it('with acquireTimeout 0 a waiter still gives up at its caller deadline, and leaves the queue', async () => {
    const tracker = new HandleTracker();
    try {
      const p = tracker.run(() => newPool({ acquireTimeout: 0 }));
      const held = await tracker.run(() => p.acquire());
      const deadline = Date.now() + 150;
      const waiting = tracker.run(() => p.acquire(deadline).catch((e: unknown) => e));
      expect(p.waiting).toBe(1);
      const error = await waiting;
      expect(error).toBeInstanceOf(PoolTimeoutError);
      expect((error as PoolTimeoutError).code).toBe('ERR_REDIS_POOL_TIMEOUT');
      expect((error as Error).message).toMatch(/deadline/);
      // Told apart from the pool's own acquireTimeout: the command path reports it as the call's timeout.
      expect((error as PoolTimeoutError).atDeadline).toBe(true);
      expect(Date.now()).toBeGreaterThanOrEqual(deadline - 1);
      expect(p.waiting).toBe(0);
      // The connection given back later goes to the idle list, not to the departed waiter.
      p.release(held);
      expect(p.idleCount).toBe(1);
      await tracker.run(() => p.close());
      pool = undefined;
      expect(await tracker.leftovers()).toEqual({});
    } finally {
      tracker.disable();
    }
  });

  it("the pool's own acquireTimeout, earlier than the caller's deadline, is a PoolTimeoutError not at the deadline", async () => {
    const p = newPool({ acquireTimeout: 50 });
    await p.acquire();
    const error = await p.acquire(Date.now() + 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as Error).message).toMatch(/pool\.acquireTimeout/);
    expect((error as PoolTimeoutError).atDeadline).toBe(false);
  });

  it('without any deadline a waiter waits for a release (acquireTimeout 0 means no limit of its own)', async () => {
    const p = newPool({ acquireTimeout: 0 });
    const held = await p.acquire();
    const waiting = p.acquire();
    expect(p.waiting).toBe(1);
    p.release(held);
    expect(await waiting).toBe(held);
  });

  it('at most maxWaiters callers wait; the next one is refused at once with QueueFullError', async () => {
    const p = newPool({ acquireTimeout: 0, maxWaiters: 2 });
    await p.acquire();
    const waiters = [p.acquire().catch((e: unknown) => e), p.acquire().catch((e: unknown) => e)];
    const refused = await p.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect(p.waiting).toBe(2);
    await p.close();
    pool = undefined;
    for (const outcome of await Promise.all(waiters)) expect(outcome).toBeInstanceOf(ClientClosedError);
  });
});
